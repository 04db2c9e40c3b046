import { type BatchPlan, lazyPlan, planBatches, shuffle, type TrainBatch } from '../data/index.js';
import { answerRowTensors, rowReference, supervisedTokens } from './answer-rows.js';
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
  const rows = ids.flatMap((id, slot) => {
    const { prompt, chosen, rejected } = pairs[id];
    return [
      { row: slot, prompt, answer: chosen },
      { row: S + slot, prompt, answer: rejected },
    ];
  });
  return {
    ...answerRowTensors(rows, S, length, opts.padTokenId),
    supervisedTokens: rows.reduce((sum, { answer }) => sum + supervisedTokens(answer), 0),
    examples: ids,
    pairs: ids.length,
    ...(opts.reference && {
      lossInputs: { [REF_LOGPS_INPUT]: rowReference(ids, S, opts.reference) },
    }),
  };
}
