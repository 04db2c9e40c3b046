import { UserError } from '@tunekit/core';
import type { BatchPlan, TrainBatch } from '../data/batch.js';

/** Where the next optimizer step starts reading: an epoch and a batch index within it. */
export interface DataCursor {
  readonly epoch: number;
  readonly batchIndex: number;
}

/** The batches of each epoch; a new plan per epoch (reshuffled with the seed and the epoch). */
export type EpochPlans = (epoch: number) => BatchPlan;

/**
 * Cuts epochs into accumulation windows as transformers does: `accumulation` consecutive
 * micro-batches per optimizer step, the last window of an epoch shorter when the batches do not
 * divide evenly, and a new epoch after the last batch.
 */
export class DataWindows {
  private plan?: { epoch: number; batches: BatchPlan };
  readonly batchesPerEpoch: number;

  constructor(
    private readonly plans: EpochPlans,
    private readonly accumulation: number,
  ) {
    this.batchesPerEpoch = plans(0).length;
    if (this.batchesPerEpoch === 0)
      throw new UserError('the training data gives no batches: is the training split empty?');
  }

  /** Optimizer steps in one epoch (transformers' num_update_steps_per_epoch). */
  get stepsPerEpoch(): number {
    return Math.ceil(this.batchesPerEpoch / this.accumulation);
  }

  /** The micro-batches of the window at `cursor`, and the cursor after it. */
  take(cursor: DataCursor): { window: TrainBatch[]; next: DataCursor; endsEpoch: boolean } {
    const plan = this.planOf(cursor.epoch);
    const end = Math.min(cursor.batchIndex + this.accumulation, plan.length);
    const window: TrainBatch[] = [];
    for (let i = cursor.batchIndex; i < end; i++) window.push(plan.batch(i));
    const endsEpoch = end === plan.length;
    const next = endsEpoch
      ? { epoch: cursor.epoch + 1, batchIndex: 0 }
      : { ...cursor, batchIndex: end };
    return { window, next, endsEpoch };
  }

  /** The fractional epoch at `cursor` (1.5: halfway through the second epoch). */
  epochAt(cursor: DataCursor): number {
    return cursor.epoch + cursor.batchIndex / this.batchesPerEpoch;
  }

  private planOf(epoch: number): BatchPlan {
    if (this.plan?.epoch !== epoch) this.plan = { epoch, batches: this.plans(epoch) };
    return this.plan.batches;
  }
}
