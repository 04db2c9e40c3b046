import { join } from 'node:path';
import {
  atomicWrite,
  readOptionalJsonObject,
  type TaskType,
  type TrainerLogs,
  UserError,
} from '@tunekit/core';
import type { DataFileInput, DataStats } from '../data/index.js';
import type { QuantizationConfig } from './quantize-on-load.js';
import type { TaskRecord } from './task-report.js';

/** Written beside every adapter or model `trainFromConfig` (`tunekit train`) saves. */
export const TRAINING_RECORD_FILE = 'training_record.json';

/**
 * How an output was made, so it can be traced back and evaluated alike: the resolved config, the
 * data fingerprint (files, template, tokenizer, settings), the template's hash and the metrics.
 * Keys are snake_case, as file keys are.
 */
export interface TrainingRecord {
  readonly tunekit_version: string;
  readonly created_at: string;
  /** The model as the config named it (folder or hub id), and the folder it resolved to. */
  readonly base_model: string;
  readonly base_model_folder: string;
  readonly data_fingerprint: string;
  readonly template: { readonly id: string; readonly sha256: string };
  readonly data: DataRecord;
  /** The config file with every default filled in (what --print-config shows). */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * How the base was quantized as it loaded (`load_in_4bit`), transformers' `quantization_config`;
   * commands that load the adapter quantize the base alike. Absent for a full-precision base.
   */
  readonly quantization_config?: QuantizationConfig;
  /**
   * The plugin packages the job loaded besides tunekit's own, for commands that load the adapter:
   * package names, and paths made absolute (`TrainFromConfigOptions.plugins`).
   */
  readonly plugins: readonly string[];
  readonly global_step: number;
  /**
   * Counted as PEFT's `get_nb_trainable_parameters` (a shared parameter once); with full fine-tuning
   * every parameter trains. Absent from records written before tunekit recorded it.
   */
  readonly parameters?: { readonly trainable: number; readonly all: number };
  /** The training process's peak resident memory, in bytes, up to saving (absent as above). */
  readonly peak_rss_bytes?: number;
  /** PEFT's task type when it is not CAUSAL_LM: SEQ_CLS records its labels as transformers' config does. */
  readonly task_type?: TaskType;
  readonly id2label?: Readonly<Record<string, string>>;
  readonly label2id?: Readonly<Record<string, number>>;
  /** Multi-task SFT: each source task's examples, weights and eval metrics before and after. */
  readonly tasks?: Readonly<Record<string, TaskRecord>>;
  /** Several heads on one model: each task with a head of its own, by task name. */
  readonly heads?: Readonly<Record<string, HeadRecord>>;
  readonly metrics: {
    /** The first evaluation (before the first step) and the last (after the last), eval_ keys. */
    readonly before?: TrainerLogs;
    readonly after?: TrainerLogs;
    /** train_runtime, train_loss, train_steps_per_second. */
    readonly train: TrainerLogs;
  };
}

/** A task's own head: its module (saved as PEFT's modules_to_save) and its labels. */
export interface HeadRecord {
  readonly module: string;
  readonly task_type: TaskType;
  readonly num_labels: number;
  readonly id2label: Readonly<Record<string, string>>;
  readonly label2id: Readonly<Record<string, number>>;
}

/** What the data pipeline reported, keys in snake_case. */
export interface DataRecord {
  readonly examples: number;
  readonly eval_examples: number;
  readonly skipped: number;
  readonly truncated: number;
  readonly duplicates: number;
  readonly unsupervised: number;
  readonly supervised_tokens: number;
  readonly examples_per_epoch: number;
  readonly sources: readonly {
    readonly files: readonly string[];
    readonly format: string;
    readonly weight: number;
    readonly examples: number;
  }[];
  /**
   * Every data file read (train and eval) with its sha256 and its manifest when it has one, so
   * `tunekit data lineage` traces the run back to its sources. Absent from older records.
   */
  readonly inputs?: readonly DataFileInput[];
}

/** The data pipeline's `DataStats` as the record spells them. */
export function dataRecord(stats: DataStats): DataRecord {
  return {
    examples: stats.examples,
    eval_examples: stats.evalExamples,
    skipped: stats.skipped,
    truncated: stats.truncated,
    duplicates: stats.duplicates,
    unsupervised: stats.unsupervised,
    supervised_tokens: stats.supervisedTokens,
    examples_per_epoch: stats.examplesPerEpoch,
    sources: stats.sources,
    inputs: stats.inputs,
  };
}

/** Writes `record` as `dir/training_record.json` (atomically). */
export async function writeTrainingRecord(dir: string, record: TrainingRecord): Promise<void> {
  await atomicWrite(join(dir, TRAINING_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** The record in `dir`, or undefined when it has none (an adapter made elsewhere). */
export async function readTrainingRecord(dir: string): Promise<TrainingRecord | undefined> {
  const record = await readOptionalJsonObject(join(dir, TRAINING_RECORD_FILE));
  if (record === undefined) return undefined;
  if (typeof record.config !== 'object' || record.config === null)
    throw new UserError(`${join(dir, TRAINING_RECORD_FILE)}: expected a 'config' object`);
  return record as unknown as TrainingRecord;
}
