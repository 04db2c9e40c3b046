import type { HostTensor, ParamGroup } from '@tunekit/core';
import type { CheckpointFiles } from './checkpoint-files.js';
import { type LrSchedule, lrFactor } from './lr-schedule.js';
import type { Progress } from './progress.js';
import type { TrainingArguments } from './training-arguments.js';

/**
 * What a checkpoint records besides the weights: the progress and data cursor, the RNG counter,
 * the schedule (as torch's LambdaLR state: base_lrs, last_epoch, _last_lr), the optimizer state
 * with PyTorch-style param_groups, and the arguments with their hash.
 */
export function checkpointFiles(run: {
  readonly args: TrainingArguments;
  readonly progress: Progress;
  readonly epoch: number;
  readonly schedule: LrSchedule;
  readonly groups: readonly ParamGroup[];
  readonly trainableNames: readonly string[];
  readonly optimizerState: Record<string, HostTensor>;
  readonly hashed: { readonly config: Record<string, unknown>; readonly hash: string };
}): CheckpointFiles {
  const { args, progress: p, schedule, groups } = run;
  const factor = lrFactor(schedule, p.step);
  return {
    trainerState: p.toFile(run.epoch, run.hashed.hash),
    rngState: { seed: args.seed, micro_step: p.microStep },
    scheduler: {
      lr_scheduler_type: args.lr_scheduler_type,
      num_warmup_steps: schedule.warmupSteps,
      num_training_steps: schedule.totalSteps,
      base_lrs: groups.map((g) => g.lr),
      last_epoch: p.step,
      _last_lr: groups.map((g) => g.lr * factor),
    },
    optimizer: {
      tensors: run.optimizerState,
      paramGroups: groups.map((g) => ({
        lr: g.lr,
        weight_decay: g.weight_decay ?? 0,
        betas: [args.adam_beta1, args.adam_beta2],
        eps: args.adam_epsilon,
        params: run.trainableNames.filter((name) => g.match?.(name) ?? true),
      })),
    },
    trainingArgs: args,
    hashedConfig: run.hashed.config,
  };
}
