import { join } from 'node:path';
import { atomicWrite, type Backend, type TaskModel, type TaskType } from '@tunekit/core';
import type { ClassificationData } from '../data/index.js';
import {
  ClassificationEvaluator,
  type ClassificationResult,
  type ClassificationScores,
  classifierEvaluation,
} from '../eval/index.js';
import { escapeHtml } from '../html/index.js';
import type { TrainerEvaluation } from '../train/index.js';

/** The evaluation file of a classifier: the last evaluation's scores and confusion matrix. */
export const CLASSIFICATION_REPORT_FILE = 'classification_report.json';

/** PEFT's task type of a job: its `peft:` section's `task_type` (CAUSAL_LM without one). */
export function taskTypeOf(config: {
  readonly peft?: { readonly task_type?: TaskType | null };
}): TaskType {
  return config.peft?.task_type ?? 'CAUSAL_LM';
}

/**
 * The evaluation of a classifier on the eval split, as the Trainer calls it; the last result is
 * kept for `writeReport`.
 */
export class ClassifierEvaluation {
  private readonly evaluator: ClassificationEvaluator;
  last?: ClassificationResult;

  constructor(
    model: TaskModel,
    backend: Backend,
    private readonly data: ClassificationData,
    head?: string,
  ) {
    this.evaluator = new ClassificationEvaluator(model, backend, data.labels.numLabels, head);
  }

  /** Where each evaluation's confusion matrix goes as HTML (the report's section). */
  onConfusionMatrix?: (html: string) => void;

  async evaluate(): Promise<TrainerEvaluation> {
    if (!this.data.eval) throw new Error('ClassifierEvaluation: no eval batches');
    this.last = await this.evaluator.run(this.data.eval);
    const { names } = this.data.labels;
    this.onConfusionMatrix?.(confusionMatrixHtml(names, this.last.scores));
    return classifierEvaluation(this.last, names, this.data.evalTexts);
  }

  /**
   * Writes `classification_report.json` (or `file`): labels (transformers' id2label and label2id), accuracy,
   * macro-F1, each class's precision, recall, F1 and support, and the confusion matrix
   * (rows: true label, columns: predicted), of the last evaluation.
   */
  async writeReport(dir: string, file = CLASSIFICATION_REPORT_FILE): Promise<string | undefined> {
    if (!this.last) return undefined;
    const { names } = this.data.labels;
    const { scores, loss } = this.last;
    const report = {
      ...this.data.labels.toConfig(),
      num_labels: names.length,
      eval_examples: this.last.gold.length,
      loss,
      accuracy: scores.accuracy,
      macro_f1: scores.macro_f1,
      per_class: Object.fromEntries(names.map((name, k) => [name, scores.per_class[k]])),
      confusion_matrix: { labels: names, rows_true_columns_predicted: scores.confusion },
    };
    await atomicWrite(join(dir, file), `${JSON.stringify(report, null, 2)}\n`);
    return file;
  }

  dispose(): void {
    this.evaluator.dispose();
  }
}

/**
 * The confusion matrix as an HTML table (rows: true label, columns: predicted), with each class's
 * precision, recall, F1 and support beside its row.
 */
export function confusionMatrixHtml(
  names: readonly string[],
  scores: ClassificationScores,
): string {
  const cell = (v: number) => `<td>${v}</td>`;
  const fixed = (v: number) => `<td>${v.toFixed(3)}</td>`;
  const head = names.map((n) => `<th>${escapeHtml(n)}</th>`).join('');
  const rows = scores.confusion.map((row, k) => {
    const c = scores.per_class[k];
    return `<tr><th>${escapeHtml(names[k])}</th>${row.map(cell).join('')}${fixed(c.precision)}${fixed(c.recall)}${fixed(c.f1)}${cell(c.support)}</tr>`;
  });
  return [
    `<p>accuracy ${scores.accuracy.toFixed(3)}, macro-F1 ${scores.macro_f1.toFixed(3)} (last evaluation; rows: true label, columns: predicted)</p>`,
    `<table class="confusion"><tr><th>true \\ predicted</th>${head}<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>`,
    ...rows,
    '</table>',
  ].join('\n');
}
