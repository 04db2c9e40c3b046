import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../autodiff/index.js';
import { ShapeError, UserError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import { uniformAt } from '../counter-rng.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, type Spec, vjpError } from './fused-test-utils.js';
import { FUSED_OPS } from './index.js';

const drop = (p: number) => (x: Tensor, seed: Tensor) => ops.dropout(x, seed, p);
const seed = (value: number): Spec => ({ shape: [], dtype: 'i32', values: [value] });
const ones = (n: number) => host([n], new Array<number>(n).fill(1));

describe('dropout', () => {
  it('keeps element i iff uniformAt(seed, i) >= p, scaling kept values by 1 / (1 - p)', async () => {
    const x = host([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const y = await run1(drop(0.5), [x, host([], [42], 'i32')], 'f64');
    const want = x.toArray().map((v, i) => (uniformAt(42, i) >= 0.5 ? v * 2 : 0));
    expect(y.toArray()).toEqual(want);
    expect(want.filter((v) => v === 0).length).toBeGreaterThan(0);
    expect(want.filter((v) => v !== 0).length).toBeGreaterThan(0);
  });

  it('keeps about 1 - p of the elements and preserves the mean; the seed picks the mask', async () => {
    const a = (await run1(drop(0.3), [ones(20000), host([], [1], 'i32')])).toArray();
    const b = (await run1(drop(0.3), [ones(20000), host([], [2], 'i32')])).toArray();
    const kept = a.filter((v) => v !== 0).length / a.length;
    expect(kept).toBeGreaterThan(0.68);
    expect(kept).toBeLessThan(0.72);
    expect(a.reduce((s, v) => s + v, 0) / a.length).toBeCloseTo(1, 1);
    expect(a).not.toEqual(b);
    expect((await run1(drop(0.3), [ones(20000), host([], [1], 'i32')])).toArray()).toEqual(a);
  });

  it('is the identity for p = 0', async () => {
    const x = host([3], [1, -2, 3]);
    expect((await run1(drop(0), [x, host([], [7], 'i32')])).toArray()).toEqual([1, -2, 3]);
  });

  it('reference kernel equals its decomposition', async () => {
    for (const [shape, p] of [
      [[64], 0.3],
      [[4, 8], 0.5],
      [[3, 5, 7], 0.123456789],
      [[5], 0],
    ] as const) {
      const r = await decompositionError(drop(p), [{ shape }, seed(1234)]);
      expect(r.fusedInside).toEqual([]);
      expect(r.error).toBeLessThan(1e-12);
    }
  });

  it('decomposition draws the same mask in f32 when p sits between two f32 values', async () => {
    // u = uniformAt(s, i) is a multiple of 2^-24; p just above u rounds down to u in f32, yet u < p
    const i = [...Array(64).keys()].find((j) => uniformAt(5, j) >= 0.5) as number;
    const p = uniformAt(5, i) + 2 ** -26;
    const decomposed = (x: Tensor, s: Tensor) => FUSED_OPS.dropout.decompose([x, s], { p });
    const feeds = [ones(i + 1), host([], [5], 'i32')];
    expect((await run1(drop(p), feeds, 'f32')).toArray()[i]).toBe(0);
    expect((await run1(decomposed, feeds, 'f32')).toArray()[i]).toBe(0);
  });

  it('passes gradcheck for x with a fixed seed', async () => {
    for (const shape of [[12], [3, 4, 2]]) {
      const r = await gradcheck(drop(0.3), [{ shape }, seed(99)]);
      expect(r.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('hand-written VJP (dropout of dy with the same seed) agrees with autodiff through the decomposition', async () => {
    expect(await vjpError(drop(0.3), [{ shape: [40] }, seed(3)])).toBeLessThan(1e-12);
    expect(await vjpError(drop(0.7), [{ shape: [4, 6] }, seed(8)])).toBeLessThan(1e-12);
  });

  it('rejects p outside [0, 1) and a seed that is not an i32 scalar', () => {
    expect(() => trace(drop(1), [3], [[], 'i32'])).toThrow(UserError);
    expect(() => trace(drop(1), [3], [[], 'i32'])).toThrow(/dropout: p must be in \[0, 1\), got 1/);
    expect(() => trace(drop(-0.1), [3], [[], 'i32'])).toThrow(/dropout: p/);
    expect(() => trace(drop(0.1), [3], [[1], 'i32'])).toThrow(ShapeError);
    expect(() => trace(drop(0.1), [3], [[1], 'i32'])).toThrow(
      /dropout: seed must be an i32 scalar, got i32\[1\]/,
    );
    expect(() => trace(drop(0.1), [3], [])).toThrow(/dropout: seed .*f32\[\]/);
  });
});
