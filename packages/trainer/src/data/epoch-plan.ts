import { type BatchPlan, lazyPlan } from './batch.js';
import { collate, packRows, planBatches } from './batching/index.js';
import type { Example } from './example.js';
import { shuffle } from './seeded-order.js';

export interface EpochPlanOptions {
  readonly batchSize: number;
  readonly bucketLengths: readonly number[];
  /** Pack examples into rows of this many tokens; undefined keeps one example a row. */
  readonly packTo?: number;
  readonly padTokenId: number;
  /** Shuffles rows and batch order; undefined keeps data order (evaluation). */
  readonly random?: () => number;
  /** Per-task loss weights: batches carry `label_weights` (`CollateOptions`). */
  readonly taskLossWeights?: Readonly<Record<string, number>>;
}

/**
 * The batches of one pass over `ids` (indices into `examples`, already in epoch order): rows
 * (packed or not), grouped into bucketed batches, the batch order shuffled so buckets
 * interleave. Only the plan is made here; a batch's tensors are built when asked for.
 */
export function epochPlan(
  ids: readonly number[],
  examples: readonly Example[],
  opts: EpochPlanOptions,
): BatchPlan {
  const lengthOf = (id: number) => examples[id].input_ids.length;
  const rows =
    opts.packTo === undefined ? ids.map((id) => [id]) : packRows(ids, lengthOf, opts.packTo);
  if (opts.random !== undefined) shuffle(rows, opts.random);
  const rowLength = (row: readonly number[]) => row.reduce((sum, id) => sum + lengthOf(id), 0);
  const planned = planBatches(rows, rowLength, opts.batchSize, opts.bucketLengths);
  if (opts.random !== undefined) shuffle(planned, opts.random);
  const collateOptions = {
    batchSize: opts.batchSize,
    padTokenId: opts.padTokenId,
    packed: opts.packTo !== undefined,
    taskLossWeights: opts.taskLossWeights,
  };
  return lazyPlan(planned.length, (index) => collate(planned[index], examples, collateOptions));
}

/** One pass over every example in data order (evaluation); undefined when there are none. */
export function inOrderPlan(
  examples: readonly Example[],
  opts: Omit<EpochPlanOptions, 'random'>,
): BatchPlan | undefined {
  if (examples.length === 0) return undefined;
  return epochPlan(
    examples.map((_, i) => i),
    examples,
    opts,
  );
}
