import type { TrainerLogs } from '@tunekit/core';
import { type RunSummary, readRunSummary } from './run-summary.js';

/** Runs side by side: their summaries and the eval metrics any of them measured, in first-seen order. */
export interface RunComparison {
  readonly runs: readonly RunSummary[];
  readonly metrics: readonly string[];
}

/**
 * Reads the training runs in `dirs` (output_dirs of `tunekit train`) for one table: eval metrics
 * after training, trainable parameters, saved size, training time and peak memory.
 *
 * @example
 * const { runs, metrics } = await compareRuns(['runs/lora', 'runs/prefix']);
 */
export async function compareRuns(dirs: readonly string[]): Promise<RunComparison> {
  const runs = await Promise.all(dirs.map(readRunSummary));
  const metrics = new Set<string>();
  for (const run of runs) for (const name of Object.keys(run.evalAfter ?? {})) metrics.add(name);
  return { runs, metrics: [...metrics] };
}

/** Whether a smaller value of `metric` is better: losses and perplexity. */
export function lowerIsBetter(metric: string): boolean {
  return /loss|perplexity/.test(metric);
}

/** Index of the run with the best value of `metric` after training, or undefined when none has one. */
export function bestRun(comparison: RunComparison, metric: string): number | undefined {
  const sign = lowerIsBetter(metric) ? -1 : 1;
  let best: number | undefined;
  comparison.runs.forEach((run, i) => {
    const value = afterValue(run.evalAfter, metric);
    if (value === undefined) return;
    const current =
      best === undefined ? undefined : afterValue(comparison.runs[best]?.evalAfter, metric);
    if (current === undefined || sign * value > sign * current) best = i;
  });
  return best;
}

function afterValue(logs: TrainerLogs | undefined, metric: string): number | undefined {
  const value = logs?.[metric];
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
