import {
  type MetricValues,
  type TrainerCallback,
  type TrainerControl,
  type TrainerState,
  UserError,
} from '@tunekit/core';

export interface EarlyStoppingOptions {
  /**
   * transformers' `early_stopping_patience`: evaluations without improvement before stopping;
   * null leaves the callback inactive.
   */
  readonly patience: number | null;
  /** `early_stopping_threshold`: the least change that counts as an improvement. */
  readonly threshold?: number;
  /** `metric_for_best_model`, 'loss' by default; `eval_` is added when missing. */
  readonly metric?: string | null;
  /** `greater_is_better`; by default false for a metric named like a loss, else true. */
  readonly greaterIsBetter?: boolean | null;
}

/**
 * transformers' EarlyStoppingCallback: after each evaluation, the metric improves when it beats
 * the best so far by more than the threshold; `patience` evaluations in a row without improvement
 * stop training.
 */
export class EarlyStoppingCallback implements TrainerCallback {
  readonly id = 'early_stopping';
  private readonly metric: string;
  private readonly greaterIsBetter: boolean;
  private best?: number;
  private waited = 0;

  constructor(private readonly opts: EarlyStoppingOptions) {
    const metric = opts.metric ?? 'loss';
    this.metric = metric.startsWith('eval_') ? metric : `eval_${metric}`;
    this.greaterIsBetter = opts.greaterIsBetter ?? !this.metric.endsWith('loss');
  }

  onEvaluate(_state: TrainerState, metrics: MetricValues): TrainerControl {
    if (this.opts.patience === null) return {};
    const value = metrics[this.metric];
    if (value === undefined) {
      throw new UserError(
        `early stopping watches '${this.metric}' (metric_for_best_model), but the evaluation ` +
          `reported only: ${Object.keys(metrics).join(', ')}`,
      );
    }
    const threshold = this.opts.threshold ?? 0;
    const better =
      this.best === undefined ||
      ((this.greaterIsBetter ? value > this.best : value < this.best) &&
        Math.abs(value - this.best) > threshold);
    if (better) {
      this.best = value;
      this.waited = 0;
    } else {
      this.waited++;
    }
    return { shouldTrainingStop: this.waited >= this.opts.patience };
  }
}
