import { GraphBuilder, grad, ops, type Reduction, type Tensor } from '@tunekit/core';
import { compareOnCase, F32_TOLERANCE, type OpCase } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { lowerToModelProto } from './lower.js';
import { OnnxBackend } from './onnx-backend.js';

// cross_entropy and its backward lowered row-wise (cross-entropy-rows.ts) against the f64
// reference: the loss and the gradient of the logits, for each reduction, ignored rows, all rows
// ignored, label smoothing, both label dtypes.
const labels = (fill: number[], dtype: 'i32' | 'i64' = 'i32') => ({
  shape: [fill.length],
  dtype,
  fill,
});
const ALL_IGNORED = [-100, -100, -100, -100];
const cases: [string, Reduction, number, ReturnType<typeof labels>, number?][] = [
  ['mean', 'mean', 0, labels([3, 0, 6, 2])],
  ['mean, ignored rows, i64 labels', 'mean', 0, labels([3, -100, 6, -100], 'i64')],
  ['mean, all rows ignored (NaN loss, zero gradient)', 'mean', 0, labels(ALL_IGNORED)],
  ['mean, smoothing, ignore_index 6', 'mean', 0.2, labels([6, 1, 6, 5]), 6],
  ['sum, smoothing, ignored rows', 'sum', 0.1, labels([1, -100, 4, 2])],
  ['sum, all rows ignored', 'sum', 0.1, labels(ALL_IGNORED)],
  ['none, ignored rows', 'none', 0, labels([-100, 5, 0, 1])],
  ['none, smoothing 1, all rows ignored', 'none', 1, labels(ALL_IGNORED)],
  ['none, smoothing 1', 'none', 1, labels([2, 0, 6, 1])],
];
const CASES: OpCase[] = cases.map(([name, reduction, label_smoothing, y, ignore_index]) => ({
  name,
  inputs: [{ shape: [4, 7] }, y],
  build: (x: Tensor, t: Tensor) =>
    ops.crossEntropy(x, t, { reduction, label_smoothing, ignore_index: ignore_index ?? -100 }),
}));

describe('cross_entropy lowered row-wise to onnxruntime', () => {
  for (const c of CASES) {
    it(`${c.name}: loss and gradient match the reference`, async () => {
      expect(
        await compareOnCase(() => new OnnxBackend({ threads: 1 }), c, 7, F32_TOLERANCE),
      ).toBeNull();
    });
  }

  it('is stable for large logits', async () => {
    const stable: OpCase = {
      name: 'large logits',
      inputs: [{ shape: [2, 3], fill: [1000, 0, -1000, 0, 2000, 1990] }, labels([1, 2])],
      build: (x, t) => ops.crossEntropy(x, t, { label_smoothing: 0.1 }),
    };
    expect(
      await compareOnCase(() => new OnnxBackend({ threads: 1 }), stable, 1, F32_TOLERANCE),
    ).toBeNull();
  });

  it('builds no [N, C] one-hot: LogSoftmax + GatherElements forward, Softmax + ScatterElements backward', () => {
    const b = new GraphBuilder();
    const x = b.input('logits', [8, 50]);
    const loss = ops.crossEntropy(x, b.input('labels', [8], 'i32'), { label_smoothing: 0.1 });
    const [dx] = grad(loss, [x]);
    const { model } = lowerToModelProto(b.build({ loss, dx: dx as Tensor }));
    const types = new Set(model.graph?.node?.map((n) => n.opType));
    for (const absent of ['Cast', 'Exp', 'Range', 'OneHot']) {
      expect(types, absent).not.toContain(absent);
    }
    for (const present of ['LogSoftmax', 'GatherElements', 'Softmax', 'ScatterElements']) {
      expect(types, present).toContain(present);
    }
  });
});
