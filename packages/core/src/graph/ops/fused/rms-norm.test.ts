import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../autodiff/index.js';
import { ShapeError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, vjpError } from './fused-test-utils.js';
import { rmsNorm } from './rms-norm.js';

const close = (values: number[]) => values.map((v) => expect.closeTo(v, 6));

describe('rms_norm', () => {
  it('is weight * x / sqrt(mean(x^2) + eps) over the last axis (HF LlamaRMSNorm)', async () => {
    // row 0: mean(x^2) = 4, so x / 2; row 1: mean(x^2) = 9, so x / 3
    const x = host([2, 2], [2, -2, 3, -3]);
    const w = host([2], [1, 3]);
    const exact = await run1((a, b) => ops.rmsNorm(a, b, 0), [x, w]);
    expect(exact.toArray()).toEqual(close([1, -3, 1, -3]));
    // mean(x^2) = 1, + eps 3: x / 2
    const withEps = await run1((a, b) => ops.rmsNorm(a, b, 3), [host([1, 2], [1, 1]), w]);
    expect(withEps.toArray()).toEqual(close([0.5, 1.5]));
  });

  it('reference kernel equals its decomposition', async () => {
    for (const shape of [[7], [3, 4], [2, 3, 5]]) {
      const d = shape[shape.length - 1];
      const r = await decompositionError(
        (x, w) => ops.rmsNorm(x, w, 1e-6),
        [{ shape }, { shape: [d] }],
      );
      expect(r.fusedInside).toEqual([]);
      expect(r.error).toBeLessThan(1e-12);
    }
  });

  it('decomposes f16 inputs by computing the statistics in f32, as HF does', async () => {
    const x = host([2, 3], [0.5, -1.25, 2, 3, 0.125, -4], 'f16');
    const w = host([3], [1, 0.5, -2], 'f16');
    const fused = await run1((a, b) => ops.rmsNorm(a, b), [x, w]);
    const decomposed = await run1((a, b) => rmsNorm.decompose([a, b], { eps: 1e-6 }), [x, w]);
    expect(decomposed.dtype).toBe('f16');
    expect(decomposed.toArray()).toEqual(fused.toArray().map((v) => expect.closeTo(v, 2)));
    const casts = trace(
      (a, b) => rmsNorm.decompose([a, b], { eps: 1e-6 }),
      [[2, 3], 'f16'],
      [[3], 'f16'],
    );
    expect(casts.builder.nodes.filter((n) => n.op === 'cast').map((n) => n.dtype)).toEqual([
      'f32',
      'f16',
    ]);
  });

  it('passes gradcheck for x and weight', async () => {
    for (const shape of [
      [3, 4],
      [2, 3, 5],
    ]) {
      const d = shape[shape.length - 1];
      const r = await gradcheck((x, w) => ops.rmsNorm(x, w, 1e-5), [{ shape }, { shape: [d] }]);
      expect(r.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('hand-written VJP agrees with autodiff through the decomposition', async () => {
    expect(
      await vjpError((x, w) => ops.rmsNorm(x, w, 1e-6), [{ shape: [3, 6] }, { shape: [6] }]),
    ).toBeLessThan(1e-12);
    expect(
      await vjpError((x, w) => ops.rmsNorm(x, w, 0.1), [{ shape: [2, 2, 4] }, { shape: [4] }]),
    ).toBeLessThan(1e-12);
  });

  it('rejects a weight that is not [D], naming the op and both shapes', () => {
    const bad = () => trace((x, w) => ops.rmsNorm(x, w), [2, 4], [3]);
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow(/rms_norm: weight f32\[3\] must be \[4\].*x f32\[2, 4\]/);
    expect(() => trace((x, w) => ops.rmsNorm(x, w), [], [1])).toThrow(/rms_norm: .*f32\[\]/);
    expect(() => trace((x, w) => ops.rmsNorm(x, w), [2, 4], [[4], 'f16'])).toThrow(
      /rms_norm: dtypes differ/,
    );
  });
});
