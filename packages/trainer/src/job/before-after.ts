import type { GenerationSample, MetricValues, TrainerCallback, TrainerLogs } from '@tunekit/core';

/** One evaluation as the Trainer reported it: `eval_`-prefixed metrics and the sampled answers. */
export interface Evaluation {
  readonly step: number;
  readonly metrics: TrainerLogs;
  readonly samples: readonly GenerationSample[];
}

/**
 * Keeps the first evaluation (before the first step, with eval_on_start) and the last (after the
 * last step), for the summary `tunekit train` prints and the training record.
 */
export class BeforeAfterCallback implements TrainerCallback {
  readonly id = 'before_after';
  first?: Evaluation;
  last?: Evaluation;

  onEvaluate(
    state: { readonly step: number },
    metrics: MetricValues,
    samples?: readonly GenerationSample[],
  ): void {
    const evaluation = { step: state.step, metrics, samples: samples ?? [] };
    this.first ??= evaluation;
    this.last = evaluation;
  }
}

/** `eval loss 1.234 | exact match 12.5%` of one evaluation, the keys it has. */
export function describeEvaluation(metrics: TrainerLogs): string {
  const parts = [`loss ${metrics.eval_loss?.toFixed(4) ?? '-'}`];
  if (metrics.eval_token_accuracy !== undefined)
    parts.push(`token accuracy ${percent(metrics.eval_token_accuracy)}`);
  if (metrics.eval_exact_match !== undefined)
    parts.push(`exact match ${percent(metrics.eval_exact_match)}`);
  const accuracies = metrics['eval_rewards/accuracies'];
  if (accuracies !== undefined) parts.push(`rewards/accuracies ${percent(accuracies)}`);
  const margins = metrics['eval_rewards/margins'];
  if (margins !== undefined) parts.push(`rewards/margins ${margins.toFixed(4)}`);
  // task heads: a classifier's accuracy and macro-F1, an embedding model's recall@1 and MRR
  for (const [key, label] of HEAD_METRICS)
    if (metrics[key] !== undefined) parts.push(`${label} ${percent(metrics[key])}`);
  return parts.join(' | ');
}

/**
 * Up to `count` sampled eval prompts with the answer before and after training, for a person to
 * read: the end of the prompt (its last user turn), the reference and both predictions.
 */
export function describeSamples(
  before: readonly GenerationSample[],
  after: readonly GenerationSample[],
  count = 3,
): string[] {
  const lines: string[] = [];
  for (let i = 0; i < Math.min(count, after.length); i++) {
    lines.push(`  prompt    …${JSON.stringify(after[i].prompt.slice(-48))}`);
    if (after[i].reference !== undefined)
      lines.push(`  reference ${JSON.stringify(after[i].reference)}`);
    if (before[i]) lines.push(`  before    ${JSON.stringify(before[i].prediction)}`);
    lines.push(`  after     ${JSON.stringify(after[i].prediction)}`);
  }
  return lines;
}

const HEAD_METRICS = [
  ['eval_accuracy', 'accuracy'],
  ['eval_macro_f1', 'macro-F1'],
  ['eval_recall@1', 'recall@1'],
  ['eval_mrr', 'MRR'],
] as const;

function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}
