import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type TrainerLogs, UserError } from '@tunekit/core';
import { readTrainingRecord, TRAINING_RECORD_FILE } from '../job/index.js';

/** What `tunekit compare` shows of one training run, read from its output_dir. */
export interface RunSummary {
  /** The run's folder as given. */
  readonly dir: string;
  /** The PEFT method (`lora`, `prefix_tuning`, ...), or `full` for full fine-tuning. */
  readonly method: string;
  readonly baseModel: string;
  readonly globalStep: number;
  /** The evaluation before the first step and after the last (eval_ keys), when the run had eval data. */
  readonly evalBefore?: TrainerLogs;
  readonly evalAfter?: TrainerLogs;
  /** Absent for runs recorded before tunekit counted them. */
  readonly trainableParameters?: number;
  readonly allParameters?: number;
  /** Bytes of the saved weights: the adapter's safetensors, or the whole model's. */
  readonly savedBytes: number;
  readonly trainRuntimeSeconds?: number;
  /** Peak resident memory of the training process, when recorded. */
  readonly peakRssBytes?: number;
}

/** The summary of the run `tunekit train` saved in `dir`, from its training record and files. */
export async function readRunSummary(dir: string): Promise<RunSummary> {
  const record = await readTrainingRecord(dir);
  if (record === undefined)
    throw new UserError(
      `${dir}: no ${TRAINING_RECORD_FILE} here; compare reads the output_dir of a tunekit train run`,
    );
  const peft = record.config.peft as { method?: unknown } | null | undefined;
  return {
    dir,
    method: typeof peft?.method === 'string' ? peft.method : 'full',
    baseModel: record.base_model,
    globalStep: record.global_step,
    evalBefore: record.metrics.before,
    evalAfter: record.metrics.after,
    trainableParameters: record.parameters?.trainable,
    allParameters: record.parameters?.all,
    savedBytes: await safetensorsBytes(dir),
    trainRuntimeSeconds: record.metrics.train.train_runtime,
    peakRssBytes: record.peak_rss_bytes,
  };
}

/** Total size of the .safetensors files directly in `dir` (checkpoints live in subfolders). */
async function safetensorsBytes(dir: string): Promise<number> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.safetensors'));
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}
