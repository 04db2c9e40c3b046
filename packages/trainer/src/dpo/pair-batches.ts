import { HostTensor } from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';
import { type BatchPlan, lazyPlan, planBatches, shuffle, type TrainBatch } from '../data/index.js';
import { REF_LOGPS_INPUT } from './dpo-loss.js';
import type { TokenizedPair } from './tokenize-pair.js';

export interface PairPlanOptions {
  /** Pairs per batch (per_device_*_batch_size): 2 × this many rows. */
  readonly batchSize: number;
  readonly bucketLengths: readonly number[];
  readonly padTokenId: number;
  /** Shuffles the pairs; undefined keeps data order (evaluation, precomputing). */
  readonly random?: () => number;
  /**
   * Precomputed reference log-probs, two per pair (chosen, rejected) in `pairs` order: fed to the
   * loss as `ref_logps`.
   */
  readonly reference?: Float64Array;
}

/**
 * The batches of one pass over `ids` (indices into `pairs`): each batch holds `batchSize` pair
 * slots, its chosen rows first and its rejected rows after (TRL's `concatenated_inputs`), padded on
 * the right to a bucket length that fits both answers of every pair in it.
 */
export function pairPlan(
  ids: readonly number[],
  pairs: readonly TokenizedPair[],
  opts: PairPlanOptions,
): BatchPlan {
  const rowLength = ([id]: readonly number[]) => {
    const p = pairs[id];
    return p.prompt.length + Math.max(p.chosen.input_ids.length, p.rejected.input_ids.length);
  };
  const rows = ids.map((id) => [id]);
  if (opts.random !== undefined) shuffle(rows, opts.random);
  const planned = planBatches(rows, rowLength, opts.batchSize, opts.bucketLengths);
  if (opts.random !== undefined) shuffle(planned, opts.random);
  return lazyPlan(planned.length, (index) =>
    collatePairs(
      planned[index].rows.map(([id]) => id),
      pairs,
      planned[index].length,
      opts,
    ),
  );
}

/** The tensors of one preference batch of the pairs `ids`, rows of `length` tokens. */
export function collatePairs(
  ids: readonly number[],
  pairs: readonly TokenizedPair[],
  length: number,
  opts: Pick<PairPlanOptions, 'batchSize' | 'padTokenId' | 'reference'>,
): TrainBatch {
  const S = opts.batchSize;
  const T = length;
  const input_ids = new Int32Array(2 * S * T).fill(opts.padTokenId);
  const labels = new Int32Array(2 * S * T).fill(IGNORE_INDEX);
  const position_ids = new Int32Array(2 * S * T);
  for (let r = 0; r < 2 * S; r++) for (let t = 0; t < T; t++) position_ids[r * T + t] = t;
  const reference = new Float64Array(2 * S);
  let supervisedTokens = 0;
  ids.forEach((id, slot) => {
    const pair = pairs[id];
    for (const [half, answer] of [pair.chosen, pair.rejected].entries()) {
      const row = (half * S + slot) * T;
      input_ids.set(pair.prompt, row);
      input_ids.set(answer.input_ids, row + pair.prompt.length);
      labels.set(answer.labels, row + pair.prompt.length);
      // the prompt is at least one token, so every answer label lies after the shift
      supervisedTokens += answer.labels.filter((label) => label !== IGNORE_INDEX).length;
      if (opts.reference) reference[half * S + slot] = opts.reference[2 * id + half];
    }
  });
  const shape = [2 * S, T];
  return {
    input_ids: new HostTensor('i32', shape, input_ids),
    labels: new HostTensor('i32', shape, labels),
    position_ids: new HostTensor('i32', shape, position_ids),
    supervisedTokens,
    examples: ids,
    pairs: ids.length,
    ...(opts.reference && {
      lossInputs: { [REF_LOGPS_INPUT]: new HostTensor('f32', [2 * S], reference) },
    }),
  };
}
