import type { TrainerCallback } from '@tunekit/core';
import { median } from './median.js';
import type { Stopwatch } from './stopwatch.js';

/** Where one step's wall time went, in seconds. */
export interface StepSplit {
  /** From one step's end to the next: the whole loop around one optimizer step. */
  readonly step: number;
  /** Inside the backend's executable runs. */
  readonly backend: number;
  /** Building the batch's tensors (collate, packing masks). */
  readonly data: number;
  /** In TrainerCallback hooks (progress bar, metrics log, report). */
  readonly callbacks: number;
}

/**
 * The last callback of a run: at each step's end it reads the clock and the stopwatches of the
 * backend, the data and the other callbacks, so each step's time splits into theirs and the rest.
 */
export class StepClock implements TrainerCallback {
  readonly id = 'step_clock';
  private readonly marks: { t: number; backend: number; data: number; callbacks: number }[] = [];

  constructor(
    private readonly watches: {
      readonly backend: Stopwatch;
      readonly data: Stopwatch;
      readonly callbacks: Stopwatch;
    },
  ) {}

  onStepEnd(): void {
    const { backend, data, callbacks } = this.watches;
    this.marks.push({
      t: performance.now() / 1000,
      backend: backend.seconds,
      data: data.seconds,
      callbacks: callbacks.seconds,
    });
  }

  /** When the first step ended, in performance.now() seconds. */
  get firstStepEnd(): number {
    return this.marks[0].t;
  }

  /** When the last step ended. */
  get lastStepEnd(): number {
    return this.marks[this.marks.length - 1].t;
  }

  /** The steps after the first `warmup`, each from the previous step's end to its own. */
  splits(warmup: number): StepSplit[] {
    const first = Math.max(1, warmup); // the first step has no step end before it
    return this.marks.slice(first).map((m, i) => {
      const prev = this.marks[first + i - 1];
      return {
        step: m.t - prev.t,
        backend: m.backend - prev.backend,
        data: m.data - prev.data,
        callbacks: m.callbacks - prev.callbacks,
      };
    });
  }
}

/** Medians of each part, and the share of all steps' time spent outside the backend. */
export function summarizeSplits(splits: readonly StepSplit[]) {
  const total = (key: keyof StepSplit) => splits.reduce((sum, s) => sum + s[key], 0);
  const med = (f: (s: StepSplit) => number) => median(splits.map(f));
  return {
    step_s: med((s) => s.step),
    backend_s: med((s) => s.backend),
    overhead_s: med((s) => s.step - s.backend),
    data_s: med((s) => s.data),
    callbacks_s: med((s) => s.callbacks),
    loop_s: med((s) => s.step - s.backend - s.data - s.callbacks),
    overhead_share: 1 - total('backend') / total('step'),
  };
}
