import { GraphBuilder, grad, ops, type Tensor } from '@tunekit/core';
import { compareOnCase, F32_TOLERANCE, type OpCase } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { lowerToModelProto } from './lower.js';
import { OnnxBackend } from './onnx-backend.js';

// Shapes whose scores exceed one block (4M elements), so the Loops run, with rows padded to whole
// blocks; the output and the gradients of q, k and v against the f64 reference.
const f = (...shape: number[]) => ({ shape });
const T = 1500;
const CASES: OpCase[] = [
  {
    name: 'causal, grouped-query, 2 blocks with padding',
    inputs: [f(1, 2, T, 4), f(1, 1, T, 4), f(1, 1, T, 4)],
    build: (q, k, v) => ops.causalAttention(q, k, v),
  },
  {
    name: 'causal with a 200-key prefix and a key mask',
    inputs: [
      f(1, 2, 1400, 2),
      f(1, 1, 1600, 2),
      f(1, 1, 1600, 2),
      {
        shape: [1, 1, 1, 1600],
        dtype: 'bool',
        fill: [...Array(1600).keys()].map((j) => Number(j % 7 !== 3)),
      },
    ],
    build: (q, k, v, m) => ops.causalAttention(q, k, v, { mask: m }),
  },
  {
    // every third query sees no key at all: y and its gradients are 0 there
    name: 'not causal, boolean mask hiding whole rows',
    inputs: [
      f(1, 2, T, 2),
      f(1, 2, T, 2),
      f(1, 2, T, 2),
      { shape: [T, 1], dtype: 'bool', fill: [...Array(T).keys()].map((i) => Number(i % 3 !== 0)) },
    ],
    build: (q: Tensor, k: Tensor, v: Tensor, m: Tensor) =>
      ops.causalAttention(q, k, v, { mask: m, causal: false }),
  },
  {
    // the causal rule merged with a mask that hides every fifth query's keys
    name: 'causal, boolean mask hiding whole rows',
    inputs: [
      f(1, 2, T, 2),
      f(1, 1, T, 2),
      f(1, 1, T, 2),
      { shape: [T, 1], dtype: 'bool', fill: [...Array(T).keys()].map((i) => Number(i % 5 !== 2)) },
    ],
    build: (q: Tensor, k: Tensor, v: Tensor, m: Tensor) =>
      ops.causalAttention(q, k, v, { mask: m }),
  },
  {
    // inline, in 2 causal blocks of 128 rows (the first sees 128 + 44 keys)
    name: 'inline causal blocks, grouped-query, 44-key prefix and a key mask',
    inputs: [
      f(2, 2, 256, 4),
      f(2, 1, 300, 4),
      f(2, 1, 300, 4),
      {
        shape: [2, 1, 1, 300],
        dtype: 'bool',
        fill: [...Array(600).keys()].map((j) => Number(j % 11 !== 5)),
      },
    ],
    build: (q, k, v, m) => ops.causalAttention(q, k, v, { mask: m }),
  },
];

describe('flash attention as onnx Loops over row blocks', () => {
  it('lowers forward and backward to Loops once the scores exceed a block, inline below', () => {
    const loops = (t: number) => {
      const b = new GraphBuilder();
      const [q, k, v] = [0, 1, 2].map((i) => b.input(`x${i}`, [1, 2, t, 4]));
      const [dq] = grad(ops.causalAttention(q, k, v).sum(), [q]);
      const { model } = lowerToModelProto(b.build({ dq: dq as Tensor }));
      return model.graph?.node?.filter((n) => n.opType === 'Loop').length;
    };
    expect(loops(T)).toBe(2);
    expect(loops(256)).toBe(0);
  });

  it('merges the causal rule and a mask once for every layer, forward and backward', () => {
    const b = new GraphBuilder();
    const [q, k, v] = [0, 1, 2].map((i) => b.input(`x${i}`, [1, 2, 8, 4]));
    const mask = b.input('mask', [1, 1, 8, 8]);
    const layer = (x: Tensor) => ops.causalAttention(x, k, v, { mask });
    const [dq] = grad(layer(layer(q)).sum(), [q]);
    const { model } = lowerToModelProto(b.build({ dq: dq as Tensor }));
    const count = (op: string) => model.graph?.node?.filter((n) => n.opType === op).length;
    expect(count('Softmax')).toBe(4); // per layer, forward and backward (onnxruntime merges them)
    expect(count('Equal')).toBe(1); // the rows the merged bias hides
    // the causal bias, the merged bias's hidden rows; per layer y and lse, and dout
    expect(count('Where')).toBe(2 + 2 * 3);
  });

  it('cuts a short causal sequence into 2 inline blocks whose probabilities the backward shares', async () => {
    const b = new GraphBuilder();
    const [q, k, v] = [0, 1, 2].map((i) => b.input(`x${i}`, [1, 2, 256, 4]));
    const [dq] = grad(ops.causalAttention(q, k, v).sum(), [q]);
    const { model } = lowerToModelProto(b.build({ dq: dq as Tensor }));
    const count = (op: string) => model.graph?.node?.filter((n) => n.opType === op).length;
    expect(count('Loop')).toBe(0);
    expect(count('Softmax')).toBe(4); // 2 blocks, forward and backward
    // each block's bias is built once, so the backward's score chain can match the forward's
    const producer = new Map(model.graph?.node?.map((n) => [n.output?.[0], n]));
    const biases = model.graph?.node
      ?.filter((n) => n.opType === 'Softmax')
      .map((n) => producer.get(n.input?.[0])?.input?.[1]);
    expect(new Set(biases).size).toBe(2);
  });

  for (const c of CASES) {
    it(`${c.name}: forward and gradients match the reference`, async () => {
      expect(
        await compareOnCase(() => new OnnxBackend({ threads: 1 }), c, 11, F32_TOLERANCE),
      ).toBeNull();
    });
  }
});
