import type { DataInput } from '@tunekit/core';
import type { TemplateFingerprint } from '@tunekit/templates';
import type { BatchPlan } from './batch.js';
import type { EvalPrompt } from './eval-prompt.js';
import type { Example } from './example.js';

/** What one training source gave. */
export interface SourceStats {
  /** The files read, as errors name them. */
  readonly files: readonly string[];
  readonly format: string;
  /** The mixing weight applied (mix_temperature's when set). */
  readonly weight: number;
  /** Training examples it holds after removals and the eval split. */
  readonly examples: number;
  /** The source's task, when it names one. */
  readonly task?: string;
}

/** The eval examples of one task: its batches and generation prompts. */
export interface TaskSplit {
  readonly task: string;
  readonly batches: BatchPlan;
  readonly prompts: readonly EvalPrompt[];
}

/** A data file of a training run, and which split it fed. */
export interface DataFileInput extends DataInput {
  readonly split: 'train' | 'eval';
}

export interface DataStats {
  /** Training examples (each once, before mixing weights). */
  readonly examples: number;
  readonly evalExamples: number;
  /** Invalid records skipped (skip_invalid: true). */
  readonly skipped: number;
  /** Examples longer than max_length: older turns dropped or the end cut. */
  readonly truncated: number;
  /** Examples removed as exact duplicates (remove_duplicates: true). */
  readonly duplicates: number;
  /** Examples left out because no token of theirs carries loss. */
  readonly unsupervised: number;
  /** Tokens that carry loss in the training examples (each once), after the shift. */
  readonly supervisedTokens: number;
  /** Training examples per epoch, with the mixing weights applied. */
  readonly examplesPerEpoch: number;
  /** sha256 (hex) of the data files, formats, weights, template, tokenizer and settings. */
  readonly fingerprint: string;
  readonly sources: readonly SourceStats[];
  /** Each data file read, train and eval, with its hash and manifest: the data's lineage. */
  readonly inputs: readonly DataFileInput[];
  /** One line each for the log: skipped, over-long, duplicate, unsupervised examples, double BOS. */
  readonly warnings: readonly string[];
}

/** Tokenised, split and batched data for supervised fine-tuning: what `loadSftData` gives. */
export interface SftData {
  /**
   * The training batches of `epoch` (0-based): mixed and shuffled with `seed` and the epoch, so
   * the same epoch always gives the same batches. Batch `i` of `train(e)` is a data cursor.
   */
  train(epoch: number): BatchPlan;
  /** Evaluation batches in data order; undefined when there is no eval data. */
  readonly eval: BatchPlan | undefined;
  /** Every eval example that has an answer, as a prompt to generate from and the reference. */
  readonly evalPrompts: readonly EvalPrompt[];
  /** The eval split by source task (eval_<task>_<metric>); empty when no source names a task. */
  readonly evalTasks: readonly TaskSplit[];
  /** What `TrainBatch.examples` index, for training and for eval batches. */
  readonly trainExamples: readonly Example[];
  readonly evalExamples: readonly Example[];
  /** The chat template the examples were rendered with: write it beside every output. */
  readonly template: TemplateFingerprint;
  /** Row lengths batches are padded to: at most one compiled graph each. */
  readonly bucketLengths: readonly number[];
  readonly stats: DataStats;
}
