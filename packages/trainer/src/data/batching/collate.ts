import { HostTensor } from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';
import type { TrainBatch } from '../batch.js';
import type { Example } from '../example.js';
import type { PlannedBatch } from './plan-batches.js';

export interface CollateOptions {
  /** Rows in every batch: a short last batch gets empty rows (pad tokens, no loss). */
  readonly batchSize: number;
  /** Fills padding; which id it is does not matter, as padding is known by position. */
  readonly padTokenId: number;
  /** Rows hold several examples: reset positions per example and number them (segment_ids). */
  readonly packed: boolean;
  /**
   * A loss weight per example task (others 1): the batch then carries `label_weights`, f32 [B, T],
   * each token the weight of its example's task, for the loss to multiply its token losses by.
   */
  readonly taskLossWeights?: Readonly<Record<string, number>>;
}

/** The loss input of per-token weights (`CollateOptions.taskLossWeights`). */
export const LABEL_WEIGHTS_INPUT = 'label_weights';

/**
 * Builds a batch's tensors, padded on the right to `batch.length`. Packed rows put their
 * examples side by side, each with positions from 0 and its first label set to -100: unpacked,
 * the first label is never predicted (the loss shifts), and packed it would be predicted from
 * the example before. Segment ids let a token see the earlier tokens of its own example only; the
 * padding at the end of a row is one more segment, so no query row of the mask is empty.
 */
export function collate(
  batch: PlannedBatch,
  examples: readonly Example[],
  opts: CollateOptions,
): TrainBatch {
  const { batchSize: B } = opts;
  const T = batch.length;
  const input_ids = new Int32Array(B * T).fill(opts.padTokenId);
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  const position_ids = new Int32Array(B * T);
  const segments = opts.packed ? new Int32Array(B * T) : undefined;
  const weights = opts.taskLossWeights && new Float32Array(B * T);
  let supervisedTokens = 0;
  for (let r = 0; r < B; r++) {
    const row = batch.rows[r] ?? [];
    let start = 0;
    let segment = 0;
    const block = (length: number) => {
      for (let t = 0; t < length; t++)
        position_ids[r * T + start + t] = opts.packed ? t : start + t;
      segments?.fill(segment++, r * T + start, r * T + start + length);
      start += length;
    };
    for (const id of row) {
      const example = examples[id];
      input_ids.set(example.input_ids, r * T + start);
      labels.set(example.labels, r * T + start);
      if (opts.packed) labels[r * T + start] = IGNORE_INDEX;
      supervisedTokens += example.supervisedTokens;
      const weight = example.task === undefined ? 1 : (opts.taskLossWeights?.[example.task] ?? 1);
      weights?.fill(weight, r * T + start, r * T + start + example.input_ids.length);
      block(example.input_ids.length);
    }
    if (start < T) block(T - start);
  }
  const shape = [B, T];
  return {
    input_ids: new HostTensor('i32', shape, input_ids),
    labels: new HostTensor('i32', shape, labels),
    position_ids: new HostTensor('i32', shape, position_ids),
    ...(segments === undefined ? {} : { segment_ids: new HostTensor('i32', shape, segments) }),
    supervisedTokens,
    examples: batch.rows.flat(),
    ...(weights && {
      lossInputs: { [LABEL_WEIGHTS_INPUT]: new HostTensor('f32', shape, weights) },
    }),
  };
}
