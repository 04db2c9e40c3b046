import { join } from 'node:path';
import { atomicWrite, type Backend, type CausalLM, type TaskType } from '@tunekit/core';
import type { ClassificationData } from '../data/index.js';
import {
  ClassificationEvaluator,
  type ClassificationResult,
  classifierEvaluation,
} from '../eval/index.js';
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
    model: CausalLM,
    backend: Backend,
    private readonly data: ClassificationData,
  ) {
    this.evaluator = new ClassificationEvaluator(model, backend, data.labels.numLabels);
  }

  async evaluate(): Promise<TrainerEvaluation> {
    if (!this.data.eval) throw new Error('ClassifierEvaluation: no eval batches');
    this.last = await this.evaluator.run(this.data.eval);
    return classifierEvaluation(this.last, this.data.labels.names, this.data.evalTexts);
  }

  /**
   * Writes `classification_report.json`: labels (transformers' id2label and label2id), accuracy,
   * macro-F1, each class's precision, recall, F1 and support, and the confusion matrix
   * (rows: true label, columns: predicted), of the last evaluation.
   */
  async writeReport(dir: string): Promise<string | undefined> {
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
    await atomicWrite(
      join(dir, CLASSIFICATION_REPORT_FILE),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    return CLASSIFICATION_REPORT_FILE;
  }

  dispose(): void {
    this.evaluator.dispose();
  }
}
