import type { TrainerCallback, TrainerControl, TrainerState } from '@tunekit/core';

/**
 * Keeps the loss of every step and stops training once the mean loss of the last `window` steps is
 * below `target`: a callback of one's own beside the stock progress bar, metrics log and report.
 */
export class TargetLossCallback implements TrainerCallback {
  readonly id = 'target_loss';
  readonly losses: number[] = [];
  /** The step training was stopped after, if the target was reached. */
  stoppedAt?: number;

  constructor(
    private readonly target: number,
    private readonly window = 10,
  ) {}

  onStepEnd(state: TrainerState): TrainerControl | undefined {
    if (state.loss !== undefined) this.losses.push(state.loss);
    const recent = this.losses.slice(-this.window);
    const mean = recent.reduce((sum, loss) => sum + loss, 0) / recent.length;
    if (recent.length < this.window || mean >= this.target) return undefined;
    this.stoppedAt = state.step;
    return { shouldTrainingStop: true };
  }
}
