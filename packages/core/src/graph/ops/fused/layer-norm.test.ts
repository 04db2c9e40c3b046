import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../autodiff/index.js';
import { ShapeError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, vjpError } from './fused-test-utils.js';

const close = (values: number[]) => values.map((v) => expect.closeTo(v, 5));

describe('layer_norm', () => {
  it('normalizes with the biased variance, then scales and shifts (PyTorch LayerNorm)', async () => {
    // rows [1, 3] and [0, 4]: both normalize to [-1, 1] (biased variance 1 and 4)
    const x = host([2, 2], [1, 3, 0, 4]);
    const y = await run1(
      (a, w, b) => ops.layerNorm(a, w, b, 0),
      [x, host([2], [2, 3]), host([2], [0.5, -0.5])],
    );
    expect(y.toArray()).toEqual(close([-1.5, 2.5, -1.5, 2.5]));
    // a constant row normalizes to 0 and leaves the bias; eps keeps it finite
    const flat = await run1(
      (a, w, b) => ops.layerNorm(a, w, b),
      [host([1, 3], [7, 7, 7]), host([3], [1, 1, 1]), host([3], [1, 2, 3])],
    );
    expect(flat.toArray()).toEqual(close([1, 2, 3]));
    // [0, 3]: mean 1.5, var 2.25, + eps 1.75 = 4: xhat = [-0.75, 0.75]
    const withEps = await run1(
      (a, w, b) => ops.layerNorm(a, w, b, 1.75),
      [host([1, 2], [0, 3]), host([2], [1, 1]), host([2], [0, 0])],
    );
    expect(withEps.toArray()).toEqual(close([-0.75, 0.75]));
  });

  it('reference kernel equals its decomposition', async () => {
    for (const shape of [[5], [3, 4], [2, 3, 6]]) {
      const d = shape[shape.length - 1];
      const r = await decompositionError(
        (x, w, b) => ops.layerNorm(x, w, b),
        [{ shape }, { shape: [d] }, { shape: [d] }],
      );
      expect(r.fusedInside).toEqual([]);
      expect(r.error).toBeLessThan(1e-12);
    }
  });

  it('passes gradcheck for x, weight and bias', async () => {
    for (const shape of [
      [3, 4],
      [2, 2, 5],
    ]) {
      const d = shape[shape.length - 1];
      const r = await gradcheck(
        (x, w, b) => ops.layerNorm(x, w, b),
        [{ shape }, { shape: [d] }, { shape: [d] }],
      );
      expect(r.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('hand-written VJP (llm.c layernorm_backward) agrees with autodiff through the decomposition', async () => {
    const specs = (shape: number[]) => [
      { shape },
      { shape: [shape[shape.length - 1]] },
      { shape: [shape[shape.length - 1]] },
    ];
    expect(await vjpError((x, w, b) => ops.layerNorm(x, w, b), specs([3, 6]))).toBeLessThan(1e-12);
    expect(await vjpError((x, w, b) => ops.layerNorm(x, w, b, 0.5), specs([2, 2, 4]))).toBeLessThan(
      1e-12,
    );
  });

  it('rejects a weight or bias that is not [D], naming the op and the shapes', () => {
    const bad = () => trace((x, w, b) => ops.layerNorm(x, w, b), [2, 4], [4], [2, 4]);
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow(/layer_norm: bias f32\[2, 4\] must be \[4\].*x f32\[2, 4\]/);
    expect(() => trace((x, w, b) => ops.layerNorm(x, w, b), [[2, 4], 'i32'], [4], [4])).toThrow(
      /layer_norm: .*i32\[2, 4\]/,
    );
  });
});
