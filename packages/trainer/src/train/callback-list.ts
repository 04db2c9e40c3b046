import type {
  CallbackResult,
  GenerationSample,
  MetricValues,
  TrainerCallback,
  TrainerLogs,
  TrainerState,
} from '@tunekit/core';

/**
 * Calls every callback's hook in order (HF's CallbackHandler), each awaited before the next, and
 * folds their answers: one callback asking to stop stops the run.
 */
export class CallbackList {
  constructor(readonly callbacks: readonly TrainerCallback[]) {}

  trainBegin(state: TrainerState): Promise<boolean> {
    return this.each((c) => c.onTrainBegin?.(state));
  }

  stepEnd(state: TrainerState): Promise<boolean> {
    return this.each((c) => c.onStepEnd?.(state));
  }

  log(state: TrainerState, logs: TrainerLogs): Promise<boolean> {
    return this.each((c) => c.onLog?.(state, logs));
  }

  evaluate(
    state: TrainerState,
    metrics: MetricValues,
    samples?: readonly GenerationSample[],
  ): Promise<boolean> {
    return this.each((c) => c.onEvaluate?.(state, metrics, samples));
  }

  save(state: TrainerState, checkpointDir: string): Promise<boolean> {
    return this.each((c) => c.onSave?.(state, checkpointDir));
  }

  trainEnd(state: TrainerState): Promise<boolean> {
    return this.each((c) => c.onTrainEnd?.(state));
  }

  /** Runs `hook` on each callback; true when any asked training to stop. */
  private async each(hook: (callback: TrainerCallback) => CallbackResult): Promise<boolean> {
    let stop = false;
    for (const callback of this.callbacks) {
      const control = await hook(callback);
      if (control?.shouldTrainingStop) stop = true;
    }
    return stop;
  }
}
