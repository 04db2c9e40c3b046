import type { MetricValues } from '@tunekit/core';
import type { DataStats } from '../data/index.js';
import { escapeHtml } from '../html/index.js';

/** One task of a multi-task run as training_record.json's `tasks` holds it. */
export interface TaskRecord {
  /** Its training examples (each once) and their mixing weight (summed over its sources). */
  readonly train_examples: number;
  readonly mix_weight: number;
  /** Its weight in the loss (`task_loss_weights`; 1 when unnamed). */
  readonly loss_weight: number;
  /** Its eval metrics (loss, token_accuracy, exact_match...) at the first and the last evaluation. */
  readonly before?: MetricValues;
  readonly after?: MetricValues;
}

/** The metrics the report's task table shows, when measured. */
const SHOWN = ['loss', 'token_accuracy', 'exact_match', 'accuracy', 'macro_f1'] as const;

/**
 * Every source task of `stats` with its examples, weights and first and last eval metrics;
 * undefined when no source names a task.
 */
export function taskRecords(
  stats: DataStats,
  lossWeights: Readonly<Record<string, number>> | undefined,
  before: Readonly<Record<string, MetricValues>> | undefined,
  after: Readonly<Record<string, MetricValues>> | undefined,
): Record<string, TaskRecord> | undefined {
  const tasks: Record<string, TaskRecord> = {};
  for (const source of stats.sources) {
    if (source.task === undefined) continue;
    const earlier = tasks[source.task];
    // a task's mixing weight: its examples per epoch over its examples
    const seen = (earlier?.mix_weight ?? 0) * (earlier?.train_examples ?? 0);
    const examples = (earlier?.train_examples ?? 0) + source.examples;
    tasks[source.task] = {
      train_examples: examples,
      mix_weight:
        examples === 0 ? source.weight : (seen + source.weight * source.examples) / examples,
      loss_weight: lossWeights?.[source.task] ?? 1,
      ...(before?.[source.task] && { before: before[source.task] }),
      ...(after?.[source.task] && { after: after[source.task] }),
    };
  }
  return Object.keys(tasks).length === 0 ? undefined : tasks;
}

/** The report's per-task table: each task's weights and its metrics before → after. */
export function tasksSectionHtml(tasks: Readonly<Record<string, TaskRecord>>): string {
  const shown = SHOWN.filter((m) =>
    Object.values(tasks).some((t) => t.after?.[m] !== undefined || t.before?.[m] !== undefined),
  );
  const value = (v: number | undefined) => (v === undefined ? '' : Number(v.toPrecision(4)));
  const head = [
    'task',
    'examples',
    'mix weight',
    'loss weight',
    ...shown.map((m) => `${m} (before → after)`),
  ];
  const rows = Object.entries(tasks).map(([task, t]) => {
    const cells = [
      t.train_examples,
      value(t.mix_weight),
      t.loss_weight,
      ...shown.map((m) => `${value(t.before?.[m])} → ${value(t.after?.[m])}`),
    ];
    return `<tr><th>${escapeHtml(task)}</th>${cells.map((c) => `<td class="num">${escapeHtml(String(c))}</td>`).join('')}</tr>`;
  });
  return `<table class="tasks"><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}
