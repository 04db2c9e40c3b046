import { evaluate, GraphBuilder, HostTensor } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { LABEL_WEIGHTS_INPUT } from '../data/index.js';
import { causalLmLoss } from './causal-lm-loss.js';
import { taskWeightedLoss } from './task-weighted-loss.js';

const V = 3;
// logits [2, 3, V]; row 0 supervises positions 1 and 2, row 1 position 2 (label -100 elsewhere)
const LOGITS = [
  0.1, -0.4, 0.3, 1.2, -1.0, 0.5, 0.2, 0.0, 0.7, 0.4, 0.1, -0.2, 0.9, -0.6, 0.8, 0.3, -0.1, 0.2,
];
const LABELS = [7, 2, 1, 7, -100, 0];
const NUM_ITEMS = 3;

function nll(row: readonly number[], label: number): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0)) - row[label];
}

/** The loss on the reference backend in f64, with `weights` [2, 3] as label_weights. */
async function lossOf(loss: ReturnType<typeof causalLmLoss>, weights: number[]): Promise<number> {
  const b = new GraphBuilder();
  const logits = b.input('logits', [2, 3, V], 'f32');
  const labels = b.input('labels', [2, 3], 'i32');
  const numItemsInBatch = b.input('n', [], 'f32');
  const graph = b.build({ loss: loss({ logits, labels, numItemsInBatch }) });
  const out = await evaluate(
    graph,
    {
      logits: new HostTensor('f32', [2, 3, V], Float64Array.from(LOGITS)),
      labels: HostTensor.from('i32', [2, 3], LABELS),
      n: new HostTensor('f32', [], Float64Array.of(NUM_ITEMS)),
      [LABEL_WEIGHTS_INPUT]: new HostTensor('f32', [2, 3], Float64Array.from(weights)),
    },
    'f64',
  );
  return out.loss.item();
}

describe('taskWeightedLoss', () => {
  it('is sum(w_t * ce_t) / num_items_in_batch over the supervised predictions', async () => {
    const row = (r: number, t: number) => LOGITS.slice((r * 3 + t) * V, (r * 3 + t + 1) * V);
    // the logits at t predict the label at t + 1; row 0 weighs 0.5 (a rationale), row 1 2
    const expected =
      (0.5 * (nll(row(0, 0), 2) + nll(row(0, 1), 1)) + 2 * nll(row(1, 1), 0)) / NUM_ITEMS;
    const got = await lossOf(taskWeightedLoss(), [0.5, 0.5, 0.5, 2, 2, 2]);
    expect(got).toBeCloseTo(expected, 10);
  });

  it('equals the causal-LM loss (label smoothing included) when every weight is 1', async () => {
    const ones = [1, 1, 1, 1, 1, 1];
    expect(await lossOf(taskWeightedLoss(0.1), ones)).toBeCloseTo(
      await lossOf(causalLmLoss(0.1), ones),
      10,
    );
  });
});
