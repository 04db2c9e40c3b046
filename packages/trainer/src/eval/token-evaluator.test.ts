import { evaluate, HostTensor, ReferenceBackend, traceLogits } from '@tunekit/core';
import { recordCompiles } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { tinyLlama } from './test-utils.js';
import { type EvalBatch, TokenEvaluator } from './token-evaluator.js';

const ids = [
  [72, 101, 108, 108, 111, 33, 10],
  [87, 104, 111, 10, 97, 109, 73],
];
// unshifted: the label at t is scored by the logits at t - 1; -100 carries no loss
const labels = [
  [-100, -100, 108, 108, 111, 33, -100],
  [-100, 104, 111, -100, 97, 109, 73],
];

function batchOf(rows: number[][], labelRows: number[][]): EvalBatch {
  const shape = [rows.length, rows[0].length];
  return {
    input_ids: HostTensor.from('i32', shape, rows.flat()),
    labels: HostTensor.from('i32', shape, labelRows.flat()),
    position_ids: HostTensor.from(
      'i32',
      shape,
      rows.flatMap((r) => r.map((_, t) => t)),
    ),
  };
}

/** Logits [B, T, V] of core's own forward pass in f64, on the host. */
async function logitsOf(rows: number[][]) {
  const traced = traceLogits(tinyLlama(3), { batch: rows.length, seq: rows[0].length });
  return (await evaluate(traced.graph, traced.feeds(rows), 'f64')).logits;
}

/** The statistics computed on the host from those logits. */
async function byHand(rows: number[][], labelRows: number[][]) {
  const logits = await logitsOf(rows);
  const [B, T, V] = logits.shape;
  const z = logits.toFloat64();
  let lossSum = 0;
  let correct = 0;
  let tokens = 0;
  for (let b = 0; b < B; b++)
    for (let t = 0; t + 1 < T; t++) {
      const label = labelRows[b][t + 1];
      if (label === -100) continue;
      const row = z.subarray((b * T + t) * V, (b * T + t + 1) * V);
      const max = Math.max(...row);
      const logSumExp = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      lossSum += logSumExp - row[label];
      if (row.indexOf(max) === label) correct++;
      tokens++;
    }
  return { lossSum, correct, tokens };
}

describe('TokenEvaluator', () => {
  it('sums the shifted cross-entropy, correct argmaxes and supervised tokens of a tiny Llama', async () => {
    // row 0's labels are the model's own argmax predictions, so they count as correct
    const logits = await logitsOf(ids);
    const [, T, V] = logits.shape;
    const z = logits.toFloat64();
    const argmax = (t: number) => {
      const row = Array.from(z.subarray(t * V, (t + 1) * V));
      return row.indexOf(Math.max(...row));
    };
    const mixed = [labels[0].map((l, t) => (l === -100 ? l : argmax(t - 1))), labels[1]];
    expect(T).toBe(7);
    const evaluator = new TokenEvaluator(tinyLlama(3), new ReferenceBackend());
    const got = await evaluator.run([batchOf(ids, mixed)]);
    const want = await byHand(ids, mixed);
    expect(got.tokens).toBe(9);
    expect(got.tokens).toBe(want.tokens);
    expect(got.correct).toBeGreaterThanOrEqual(4);
    expect(got.correct).toBe(want.correct);
    expect(got.lossSum).toBeCloseTo(want.lossSum, 4);
  });

  it('adds up batches of several shapes, compiling one graph per shape', async () => {
    const backend = new ReferenceBackend();
    const compiled = recordCompiles(backend);
    const evaluator = new TokenEvaluator(tinyLlama(3), backend);
    const first = batchOf([ids[0]], [labels[0]]);
    const second = batchOf([ids[1].slice(0, 5)], [labels[1].slice(0, 5)]);
    const got = await evaluator.run([first, second, first]);
    const a = await byHand([ids[0]], [labels[0]]);
    const b = await byHand([ids[1].slice(0, 5)], [labels[1].slice(0, 5)]);
    expect(compiled).toHaveLength(2);
    expect(got.tokens).toBe(2 * a.tokens + b.tokens);
    expect(got.lossSum).toBeCloseTo(2 * a.lossSum + b.lossSum, 4);
  });

  it('reads packed batches with their segment ids', async () => {
    // two examples packed in one row: positions restart and the second never sees the first
    const row = [72, 101, 108, 87, 104, 111];
    const rowLabels = [-100, 101, 108, -100, 104, 111];
    const packed: EvalBatch = {
      input_ids: HostTensor.from('i32', [1, 6], row),
      labels: HostTensor.from('i32', [1, 6], rowLabels),
      position_ids: HostTensor.from('i32', [1, 6], [0, 1, 2, 0, 1, 2]),
      segment_ids: HostTensor.from('i32', [1, 6], [0, 0, 0, 1, 1, 1]),
    };
    const evaluator = new TokenEvaluator(tinyLlama(3), new ReferenceBackend());
    const got = await evaluator.run([packed]);
    const want = await byHand(
      [row.slice(0, 3), row.slice(3)],
      [rowLabels.slice(0, 3), rowLabels.slice(3)],
    );
    expect(got.tokens).toBe(4);
    expect(got.lossSum).toBeCloseTo(want.lossSum, 4);
  });

  it('names the batch and tensor whose shape is wrong', async () => {
    const bad = {
      ...batchOf(ids, labels),
      labels: HostTensor.from(
        'i32',
        [2, 6],
        labels.flatMap((r) => r.slice(1)),
      ),
    };
    const evaluator = new TokenEvaluator(tinyLlama(3), new ReferenceBackend());
    await expect(evaluator.run([batchOf(ids, labels), bad])).rejects.toThrow(
      'eval batch 1: labels is i32[2, 6], expected i32[2, 7]',
    );
  });
});
