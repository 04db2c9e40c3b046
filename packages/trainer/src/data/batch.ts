import type { HostTensor } from '@tunekit/core';

/**
 * One padded batch, HF conventions: labels unshifted (the loss shifts them: the logits at t
 * predict the label at t + 1), -100 = no loss. Padding is on the right and known by position
 * (label -100), never by token id.
 */
export interface TrainBatch {
  /** i32 [B, T] */
  readonly input_ids: HostTensor;
  /** i32 [B, T] */
  readonly labels: HostTensor;
  /** i32 [B, T]: 0, 1, 2... per example, restarting at 0 at each packed example. */
  readonly position_ids: HostTensor;
  /**
   * i32 [B, T], only when packing: the example each token belongs to, counted from 0 in each row
   * (the padding after the last example is one more). The model builds the block-diagonal causal
   * mask from it in the graph, so no example attends to another. Absent means plain causal
   * attention (right padding needs no mask: a real token never sees a later pad).
   */
  readonly segment_ids?: HostTensor;
  /** Labels that carry loss after the shift (labels[:, 1:] != -100): what the mean divides by. */
  readonly supervisedTokens: number;
  /** Indices of the examples in the batch, in row order (for reports); padding rows have none. */
  readonly examples: readonly number[];
  /**
   * Preference batches: how many pairs they hold. Their 2S rows are S slots of a pair, rows
   * [0, S) the chosen answers and [S, 2S) the rejected ones (TRL's concatenated batch); slots past
   * the last pair are empty rows. A window's loss is the mean over its pairs. KTO batches count
   * their examples here: rows [0, S) the examples, [S, 2S) their KL rows.
   */
  readonly pairs?: number;
  /**
   * The model head whose loss this batch trains (a classification task's `score` head on a
   * multi-head model); absent: the model's default head (the LM head).
   */
  readonly head?: string;
  /**
   * Extra per-batch inputs of the loss's own (precomputed reference log-probs `ref_logps`), fed
   * to the step graph by name.
   */
  readonly lossInputs?: Readonly<Record<string, HostTensor>>;
}

/**
 * The batches of one pass over a split. Tensors are built when a batch is asked for, so resuming
 * at batch k (a checkpoint's data cursor) costs nothing for the batches before it.
 */
export interface BatchPlan extends Iterable<TrainBatch> {
  readonly length: number;
  /** Batch `index` (0-based); the same index always gives the same batch. */
  batch(index: number): TrainBatch;
}

/** The plan of `length` batches that `batch` builds when asked (an index out of range throws). */
export function lazyPlan(length: number, batch: (index: number) => TrainBatch): BatchPlan {
  const checked = (index: number): TrainBatch => {
    if (!Number.isInteger(index) || index < 0 || index >= length)
      throw new RangeError(`batch ${index} is out of range: this pass has ${length}`);
    return batch(index);
  };
  return {
    length,
    batch: checked,
    *[Symbol.iterator]() {
      for (let i = 0; i < length; i++) yield checked(i);
    },
  };
}
