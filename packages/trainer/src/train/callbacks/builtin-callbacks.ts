import type { Logger, TrainerCallback } from '@tunekit/core';
import type { TrainingArguments } from '../training-arguments.js';
import { EarlyStoppingCallback } from './early-stopping.js';
import { JsonlMetricsCallback } from './jsonl-metrics.js';
import { ProgressBarCallback } from './progress-bar.js';
import { ReportCallback } from './report.js';

/**
 * One built-in callback, made fresh for each run (callbacks hold one run's state) from the run's
 * training arguments; the progress bar's plain lines go to `logger` when given.
 */
export type CallbackFactory = (args: TrainingArguments, logger?: Logger) => TrainerCallback;

/**
 * The built-in callbacks in call order: progress bar, JSONL metrics log, report, and early
 * stopping (inactive unless `early_stopping_patience` is set).
 */
export const BUILTIN_CALLBACK_FACTORIES: readonly CallbackFactory[] = Object.freeze([
  (args, logger) =>
    new ProgressBarCallback({
      disabled: args.disable_tqdm,
      log: logger && ((line) => logger.info(line)),
    }),
  () => new JsonlMetricsCallback(),
  () => new ReportCallback(),
  (args) =>
    new EarlyStoppingCallback({
      patience: args.early_stopping_patience,
      threshold: args.early_stopping_threshold,
      metric: args.metric_for_best_model,
      greaterIsBetter: args.greater_is_better,
    }),
]);

/** Fresh built-in callbacks configured by `args`, for a Trainer composed in code. */
export function builtinCallbacks(args: TrainingArguments, logger?: Logger): TrainerCallback[] {
  return BUILTIN_CALLBACK_FACTORIES.map((make) => make(args, logger));
}
