import type { MetricValues } from '@tunekit/core';
import type { EvalPrompt, TaskSplit } from '../data/index.js';
import type { EvalResult, Evaluator } from './evaluator.js';
import type { EvalBatch } from './token-evaluator.js';

/**
 * A multi-task evaluation: the whole eval split's metrics under their own names, and each task's
 * (its examples' loss, token accuracy, exact match and the rest) as `<task>_<metric>`, which the
 * Trainer logs as `eval_<task>_<metric>`. The answers are generated once, per task: the whole
 * split's generation metrics come from the prompts of sources without a task only, and the samples
 * are every task's. `tasks` holds each task's metrics unprefixed.
 */
export async function evaluateTasks(
  evaluator: Evaluator,
  batches: Iterable<EvalBatch>,
  prompts: readonly EvalPrompt[],
  tasks: readonly TaskSplit[],
): Promise<EvalResult & { readonly tasks: Readonly<Record<string, MetricValues>> }> {
  const overall = await evaluator.evaluate(
    batches,
    prompts.filter((p) => p.task === undefined),
  );
  const metrics: Record<string, number> = { ...overall.metrics };
  const samples = [...overall.samples];
  const byTask: Record<string, MetricValues> = {};
  for (const split of tasks) {
    const result = await evaluator.evaluate(split.batches, split.prompts);
    byTask[split.task] = result.metrics;
    for (const [name, value] of Object.entries(result.metrics))
      metrics[`${split.task}_${name}`] = value;
    samples.push(...result.samples);
  }
  return { ...overall, metrics, samples, tasks: byTask };
}
