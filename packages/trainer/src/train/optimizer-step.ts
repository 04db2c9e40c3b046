import { DROPOUT_SEED_INPUT, HostTensor } from '@tunekit/core';
import type { TrainBatch } from '../data/batch.js';
import { MIXOUT_SEED_INPUT } from './mixout.js';
import { NEFTUNE_SEED_INPUT } from './neftune.js';
import type { StepGraphs } from './step-graphs.js';
import { NUM_ITEMS_INPUT, type StepShape } from './trace-loss.js';

export interface OptimizerStepResult {
  /** The window's loss: the sum of its micro-batch losses, each divided by the window's tokens. */
  readonly loss: number;
  /** Global gradient norm of the summed gradients, before clipping. */
  readonly gradNorm: number;
  /** What the loss divided by: the window's supervised tokens, or its pairs (of all heads). */
  readonly items: number;
  /** The loss's extra outputs (sums over its items), summed over the window's micro-batches. */
  readonly sums: Readonly<Record<string, number>>;
}

/**
 * One optimizer step over an accumulation window of micro-batches: each but the last adds its
 * gradients to the buffers, the last adds its own and updates. Every micro-batch loss is divided by
 * the supervised tokens of the whole window (those of its head's batches, when a multi-head model's
 * batches train different heads), so the update equals one step on the concatenated batch, per
 * head. `firstMicroStep` numbers the window's first micro-batch in the run, for its seeds.
 */
export async function runOptimizerStep(
  graphs: StepGraphs,
  window: readonly TrainBatch[],
  lrs: readonly number[],
  seeds: { readonly seed: number; readonly firstMicroStep: number },
  accumulating: boolean,
): Promise<OptimizerStepResult> {
  // each head's loss is a mean over its own items in the window (tokens, or examples for a
  // classification head); a window without any gets loss 0 and zero gradients instead of 0 / 0
  const itemsOf = (head: string | undefined) =>
    Math.max(
      1,
      window.reduce((n, b) => n + (b.head === head ? lossItems(b) : 0), 0),
    );
  const numItems = window.reduce((n, b) => n + lossItems(b), 0);
  let loss = 0;
  const sums: Record<string, number> = {};
  const add = (outputs: Readonly<Record<string, HostTensor>>) => {
    for (const [name, t] of Object.entries(outputs)) sums[name] = (sums[name] ?? 0) + t.item();
  };
  for (let k = 0; k < window.length - 1; k++) {
    const feeds = batchFeeds(
      window[k],
      itemsOf(window[k].head),
      seeds.seed,
      seeds.firstMicroStep + k,
    );
    const micro = await graphs.runnerFor(shapeOf(window[k]), 'accumulate').accumulate(feeds);
    loss += micro.loss;
    add(micro.outputs);
  }
  const last = window.length - 1;
  const feeds = batchFeeds(
    window[last],
    itemsOf(window[last].head),
    seeds.seed,
    seeds.firstMicroStep + last,
  );
  const mode = accumulating ? 'apply' : 'step';
  const result = await graphs.runnerFor(shapeOf(window[last]), mode).run(feeds, lrs);
  add(result.outputs);
  return {
    loss: loss + result.loss,
    gradNorm: result.gradNorm,
    items: Math.max(1, numItems),
    sums,
  };
}

/** What a batch's loss is a mean over: its pairs (preference batches) or supervised tokens. */
export function lossItems(batch: TrainBatch): number {
  return batch.pairs ?? batch.supervisedTokens;
}

export function shapeOf(batch: TrainBatch): StepShape {
  const [b, t] = batch.input_ids.shape;
  const shape = { batch: b, seq: t, packed: batch.segment_ids !== undefined };
  return batch.head === undefined ? shape : { ...shape, head: batch.head };
}

/** A micro-batch's feeds; graphs ignore the seeds they have no input for. */
function batchFeeds(
  batch: TrainBatch,
  numItems: number,
  seed: number,
  microStep: number,
): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {
    input_ids: batch.input_ids,
    labels: batch.labels,
    position_ids: batch.position_ids,
    // f64 storage, so an f64 reference run divides by the exact count
    [NUM_ITEMS_INPUT]: new HostTensor('f32', [], Float64Array.of(numItems)),
    [DROPOUT_SEED_INPUT]: HostTensor.from('i32', [], [stepSeed(seed, microStep, 0)]),
    [NEFTUNE_SEED_INPUT]: HostTensor.from('i32', [], [stepSeed(seed, microStep, 1)]),
    [MIXOUT_SEED_INPUT]: HostTensor.from('i32', [], [stepSeed(seed, microStep, 2)]),
  };
  if (batch.segment_ids) feeds.segment_ids = batch.segment_ids;
  return { ...feeds, ...batch.lossInputs };
}

/**
 * The i32 seed of random stream `stream` at micro-step `microStep` of a run seeded `seed`: a hash,
 * so the run's randomness is a pure function of (seed, micro-step) and a resumed run draws the
 * same masks as an uninterrupted one.
 */
export function stepSeed(seed: number, microStep: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (microStep + 0x632be5ab), 0xc2b2ae35);
  h = Math.imul(h ^ (stream + 0x7f4a7c15), 0x27d4eb2f);
  return (h ^ (h >>> 15)) | 0;
}
