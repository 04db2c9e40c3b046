import { access } from 'node:fs/promises';
import { join } from 'node:path';
import {
  atomicWrite,
  type HostTensor,
  parseOrThrow,
  readJsonObject,
  SafetensorsFile,
  UserError,
  writeSafetensors,
} from '@tunekit/core';
import { z } from 'zod';

export const TRAINER_STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const SCHEDULER_FILE = 'scheduler.json';
export const RNG_STATE_FILE = 'rng_state.json';
export const TRAINING_ARGS_FILE = 'training_args.json';

const logEntry = z.record(z.string(), z.number());

/** `trainer_state.json`: transformers' fields, plus tunekit's data cursor and config hash. */
const trainerStateSchema = z.object({
  global_step: z.number().int().nonnegative(),
  epoch: z.number(),
  max_steps: z.number().int(),
  num_input_tokens_seen: z.number().nonnegative(),
  log_history: z.array(logEntry),
  /** Where the next optimizer step's first micro-batch is. */
  data_cursor: z.object({
    epoch: z.number().int().nonnegative(),
    batch_index: z.number().int().nonnegative(),
  }),
  /**
   * The partial logging window: steps since the last log, their loss sum, and the loss outputs'
   * sums over their items (preference metrics); the last two absent in older checkpoints.
   */
  logging_window: z.object({
    steps: z.number().int().nonnegative(),
    loss_sum: z.number(),
    items: z.number().nonnegative().default(0),
    sums: z.record(z.string(), z.number()).default({}),
  }),
  config_hash: z.string(),
});
export type TrainerStateFile = z.output<typeof trainerStateSchema>;

/** `rng_state.json`: every random draw is a function of the seed and the micro-step counter. */
const rngStateSchema = z.object({ seed: z.number().int(), micro_step: z.number().int() });
export type RngStateFile = z.output<typeof rngStateSchema>;

const trainingArgsFileSchema = z.object({
  config_hash: z.string(),
  hashed_config: z.record(z.string(), z.unknown()),
});

export interface CheckpointFiles {
  readonly trainerState: TrainerStateFile;
  readonly rngState: RngStateFile;
  /** `scheduler.json`: as torch's LambdaLR state, for readers; the schedule is recomputed. */
  readonly scheduler: Readonly<Record<string, unknown>>;
  /** Optimizer state under PyTorch's names (`<param>.exp_avg`), with the param groups as metadata. */
  readonly optimizer: {
    readonly tensors: Readonly<Record<string, HostTensor>>;
    readonly paramGroups: readonly Readonly<Record<string, unknown>>[];
  };
  /** `training_args.json`: the arguments as run and the config that was hashed. */
  readonly trainingArgs: Readonly<Record<string, unknown>>;
  readonly hashedConfig: Readonly<Record<string, unknown>>;
}

/** Writes every file of a checkpoint except the weights into `dir`, each atomically. */
export async function writeCheckpointFiles(dir: string, files: CheckpointFiles): Promise<void> {
  const json = (name: string, value: unknown) =>
    atomicWrite(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  await writeSafetensors(join(dir, OPTIMIZER_FILE), files.optimizer.tensors, {
    format: 'pt',
    step: String(files.trainerState.global_step),
    param_groups: JSON.stringify(files.optimizer.paramGroups),
  });
  await json(SCHEDULER_FILE, files.scheduler);
  await json(RNG_STATE_FILE, files.rngState);
  await json(TRAINING_ARGS_FILE, {
    ...files.trainingArgs,
    config_hash: files.trainerState.config_hash,
    hashed_config: files.hashedConfig,
  });
  await json(TRAINER_STATE_FILE, files.trainerState);
}

export interface LoadedCheckpoint {
  readonly trainerState: TrainerStateFile;
  readonly rngState: RngStateFile;
  readonly optimizerState: Record<string, HostTensor>;
  readonly hashedConfig: Readonly<Record<string, unknown>>;
}

/** Reads what `writeCheckpointFiles` wrote; a missing or malformed file names itself. */
export async function readCheckpointFiles(dir: string): Promise<LoadedCheckpoint> {
  try {
    await access(join(dir, TRAINER_STATE_FILE));
  } catch {
    throw new UserError(
      `resume_from_checkpoint: ${dir} is not a tunekit checkpoint (it has no ${TRAINER_STATE_FILE})`,
    );
  }
  const read = async <T>(name: string, schema: z.ZodType<T>) =>
    parseOrThrow(schema, await readJsonObject(join(dir, name)), join(dir, name));
  const trainerState = await read(TRAINER_STATE_FILE, trainerStateSchema);
  const rngState = await read(RNG_STATE_FILE, rngStateSchema);
  const args = await read(TRAINING_ARGS_FILE, trainingArgsFileSchema);
  const file = await SafetensorsFile.open(join(dir, OPTIMIZER_FILE));
  try {
    const optimizerState: Record<string, HostTensor> = {};
    for (const name of file.keys()) optimizerState[name] = await file.read(name);
    return { trainerState, rngState, optimizerState, hashedConfig: args.hashed_config };
  } finally {
    await file.close();
  }
}
