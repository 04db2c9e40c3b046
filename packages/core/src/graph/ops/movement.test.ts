import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../autodiff/index.js';
import { ShapeError } from '../../errors/index.js';
import { ops } from '../functional.js';
import type { Tensor } from '../tensor.js';
import { host, run1, trace } from './test-utils.js';

// x[i, j] = 10 i + j for a [2, 3] matrix
const x23 = host([2, 3], [0, 1, 2, 10, 11, 12]);
// x[i, j, k] = 100 i + 10 j + k for a [2, 3, 2] tensor
const x232 = host([2, 3, 2], [0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);

describe('movement ops: forward', () => {
  it('reshape keeps row-major order and infers one -1', async () => {
    const y = await run1((x) => x.reshape([3, -1]), [x23]);
    expect(y.shape).toEqual([3, 2]);
    expect(y.toArray()).toEqual([0, 1, 2, 10, 11, 12]);
  });

  it('transpose of a matrix and a 3-D permutation', async () => {
    const t = await run1((x) => x.transpose(), [x23]);
    expect(t.shape).toEqual([3, 2]);
    expect(t.toArray()).toEqual([0, 10, 1, 11, 2, 12]);
    const p = await run1((x) => x.transpose([2, 0, 1]), [x232]);
    expect(p.shape).toEqual([2, 2, 3]);
    expect(p.toArray()).toEqual([0, 10, 20, 100, 110, 120, 1, 11, 21, 101, 111, 121]);
  });

  it('slice takes [start, end) on every axis', async () => {
    const y = await run1((x) => x.slice([1, 1, 0], [2, 3, 1]), [x232]);
    expect(y.shape).toEqual([1, 2, 1]);
    expect(y.toArray()).toEqual([110, 120]);
    const n = await run1((x) => x.narrow(1, 0, 2), [x23]);
    expect(n.toArray()).toEqual([0, 1, 10, 11]);
  });

  it('pad fills with zeros', async () => {
    const y = await run1((x) => x.pad([1, 0], [0, 2]), [x23]);
    expect(y.shape).toEqual([3, 5]);
    expect(y.toArray()).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 10, 11, 12, 0, 0]);
  });

  it('concat along the first and the last axis', async () => {
    const z = host([2, 1], [7, 8]);
    const last = await run1((a, b) => ops.concat([a, b], -1), [x23, z]);
    expect(last.shape).toEqual([2, 4]);
    expect(last.toArray()).toEqual([0, 1, 2, 7, 10, 11, 12, 8]);
    const first = await run1((a, b) => ops.concat([a, b, a], 0), [x23, host([1, 3], [5, 6, 7])]);
    expect(first.shape).toEqual([5, 3]);
    expect(first.toArray()).toEqual([0, 1, 2, 10, 11, 12, 5, 6, 7, 0, 1, 2, 10, 11, 12]);
    const one = await run1((a) => ops.concat([a], 1), [x23]);
    expect(one.toArray()).toEqual([0, 1, 2, 10, 11, 12]);
  });

  it('broadcast_to repeats size-1 and missing leading axes', async () => {
    const y = await run1((x) => x.broadcastTo([2, 2, 3]), [host([2, 1], [4, 5])]);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(y.toArray()).toEqual([4, 4, 4, 5, 5, 5, 4, 4, 4, 5, 5, 5]);
  });

  it('movement keeps integer dtypes', async () => {
    const y = await run1(
      (x) => x.transpose().pad([0, 1], [0, 0]),
      [host([2, 2], [1, 2, 3, 4], 'i32')],
    );
    expect(y.dtype).toBe('i32');
    expect(y.toArray()).toEqual([0, 1, 3, 0, 2, 4]);
  });
});

describe('movement ops: gradients (finite differences in f64)', () => {
  // each case: a function of one input, and the input shapes to try
  const cases: [string, (x: Tensor) => Tensor, number[][]][] = [
    [
      'reshape',
      (x) => x.reshape([-1, 2]),
      [
        [2, 3],
        [4, 1, 2],
      ],
    ],
    [
      'transpose (last two)',
      (x) => x.transpose(),
      [
        [2, 3],
        [2, 3, 4],
      ],
    ],
    [
      'transpose [2, 0, 1]',
      (x) => x.transpose([2, 0, 1]),
      [
        [2, 3, 4],
        [1, 3, 2],
      ],
    ],
    [
      'slice',
      (x) => x.slice([1, 0], [x.dim(0), x.dim(1) - 1]),
      [
        [3, 4],
        [2, 2],
      ],
    ],
    [
      'pad',
      (x) => x.pad([1, 0, 2].slice(0, x.rank), [0, 3, 1].slice(0, x.rank)),
      [
        [2, 3],
        [2, 1, 2],
      ],
    ],
    ['broadcast_to', (x) => x.broadcastTo([2, 3, 4]), [[3, 1], [1, 3, 4], [4], []]],
  ];
  for (const [name, f, shapes] of cases) {
    for (const shape of shapes) {
      it(`${name} of [${shape.join(', ')}]`, async () => {
        const r = await gradcheck(f, [{ shape }]);
        expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
      });
    }
  }

  it('concat of three inputs along axis 1', async () => {
    const r = await gradcheck(
      (a, b, c) => ops.concat([a, b, c], 1),
      [{ shape: [2, 1, 3] }, { shape: [2, 4, 3] }, { shape: [2, 2, 3] }],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });

  it('concat along axis -1 with an input used twice', async () => {
    const r = await gradcheck(
      (a, b) => ops.concat([a, b, a], -1),
      [{ shape: [3, 2] }, { shape: [3, 1] }],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });
});

describe('movement ops: types', () => {
  it('infer shapes', () => {
    expect(trace((x) => x.reshape([2, -1, 3]), [3, 4, 1]).shape).toEqual([2, 2, 3]);
    expect(trace((x) => x.transpose([1, 2, 0]), [2, 3, 4]).shape).toEqual([3, 4, 2]);
    expect(trace((x) => x.pad([0, 1], [2, 0]), [[2, 3], 'i64']).dtype).toBe('i64');
    expect(trace((a, b) => ops.concat([a, b], 0), [1, 3], [2, 3]).shape).toEqual([3, 3]);
  });

  it('reshape: size mismatch names both shapes', () => {
    const f = () => trace((x) => x.reshape([4, 2]), [2, 3]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/reshape: cannot reshape f32\[2, 3\] \(6 elements\) to \[4, 2\]/);
    expect(() => trace((x) => x.reshape([-1, 4]), [2, 3])).toThrow(
      /reshape: cannot reshape f32\[2, 3\]/,
    );
    expect(() => trace((x) => x.reshape([-1, -1]), [2, 3])).toThrow(
      /at most one dimension may be -1/,
    );
  });

  it('transpose: a bad perm names the perm and the tensor', () => {
    for (const perm of [
      [0, 0, 1],
      [0, 1],
      [0, 1, 3],
    ]) {
      const f = () => trace((x) => x.transpose(perm), [2, 3, 4]);
      expect(f).toThrow(ShapeError);
      expect(f).toThrow(
        `transpose: perm [${perm.join(', ')}] is not a permutation of the axes of f32[2, 3, 4]`,
      );
    }
  });

  it('slice: out of bounds names the axis and the shape', () => {
    const f = () => trace((x) => x.slice([0, 1], [2, 4]), [2, 3]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/slice: axis 1: range \[1, 4\) is out of bounds for f32\[2, 3\]/);
    expect(() => trace((x) => x.slice([2, 0], [1, 3]), [2, 3])).toThrow(/slice: axis 0/);
    expect(() => trace((x) => x.slice([0], [1]), [2, 3])).toThrow(
      /slice: starts has 1 entries for f32\[2, 3\]/,
    );
  });

  it('pad: negative padding names the axis', () => {
    expect(() => trace((x) => x.pad([0, -1], [0, 0]), [2, 3])).toThrow(
      /pad: axis 1: padding \(-1, 0\)/,
    );
  });

  it('concat: mismatched inputs are named with their shapes and the axis', () => {
    const f = () => trace((a, b) => ops.concat([a, b], 0), [2, 3], [2, 4]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(
      /concat: along axis 0, input 1 f32\[2, 4\] does not match input 0 f32\[2, 3\]/,
    );
    expect(() => trace((a, b) => ops.concat([a, b], 0), [2, 3], [3])).toThrow(/input 1 f32\[3\]/);
    expect(() => trace((a, b) => ops.concat([a, b], 0), [[2], 'f32'], [[2], 'i32'])).toThrow(
      /concat: dtypes differ/,
    );
    expect(() => trace((a) => ops.concat([a], 2), [2, 3])).toThrow(
      /concat: axis 2 is out of range/,
    );
  });

  it('broadcast_to: an incompatible target names both shapes', () => {
    const f = () => trace((x) => x.broadcastTo([4, 3]), [2, 3]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow('broadcast_to: f32[2, 3] does not broadcast to [4, 3]');
    expect(() => trace((x) => x.broadcastTo([3]), [2, 3])).toThrow(/broadcast_to/);
  });
});
