import { UserError } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { loadClassificationData, type SftDataConfig } from '../data/index.js';
import { ClassificationEvaluator } from '../eval/index.js';
import { type BackendChoice, openInferenceBackend } from './inference-backend.js';
import type { InferenceModel } from './inference-model.js';
import type { HeadRecord } from './training-record.js';

/** A classification head's scores on a data file, with its confusion matrix. */
export interface HeadTaskEvaluation {
  /** loss (mean cross-entropy), accuracy and macro_f1. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly examples: number;
  /** Rows: true label, columns: predicted, in id2label's order. */
  readonly confusion: { readonly labels: readonly string[]; readonly rows: readonly number[][] };
}

/**
 * The head of task `task` that a multi-head run trained (the adapter's record names its module and
 * labels); undefined for a task without a head of its own. A task the record does not know is an
 * error that lists its tasks.
 */
export function headTaskOf(loaded: InferenceModel, task: string): HeadRecord | undefined {
  const { record } = loaded;
  if (!record)
    throw new UserError(
      `--task ${task}: a task is one of a multi-task run's; give that run's adapter (-a/--adapter)`,
    );
  const known = [...Object.keys(record.tasks ?? {}), ...Object.keys(record.heads ?? {})];
  if (!known.includes(task))
    throw new UserError(
      `--task ${task}: the adapter's training record has ${known.length > 0 ? `the tasks ${[...new Set(known)].join(', ')}` : 'no tasks'}`,
    );
  return record.heads?.[task];
}

/**
 * Scores `head` on `data` as training scored its eval split: `{text|messages, label}` records
 * tokenised with the run's settings (`settings`), each read at its last token through the head.
 */
export async function evaluateHeadTask(
  opts: BackendChoice & {
    readonly container: DependencyContainer;
    readonly loaded: InferenceModel;
    readonly head: HeadRecord;
    readonly dataConfig: SftDataConfig;
    /** Notes, one line each (which backend runs); default `console.warn`. */
    readonly warn?: (line: string) => void;
  },
): Promise<HeadTaskEvaluation> {
  const { container, loaded, head } = opts;
  const data = await loadClassificationData(
    { ...opts.dataConfig, id2label: head.id2label },
    { container, tokenizer: loaded.tokenizer, tokenizerDir: loaded.tokenizerDir },
  );
  const backend = await openInferenceBackend(container, opts, loaded.record);
  const evaluator = new ClassificationEvaluator(
    loaded.model,
    backend,
    data.labels.numLabels,
    head.module,
  );
  try {
    const { loss, scores } = await evaluator.run(data.eval ?? []);
    return {
      metrics: { loss, accuracy: scores.accuracy, macro_f1: scores.macro_f1 },
      examples: data.stats.evalExamples,
      confusion: { labels: data.labels.names, rows: scores.confusion },
    };
  } finally {
    evaluator.dispose();
    await backend.dispose();
  }
}
