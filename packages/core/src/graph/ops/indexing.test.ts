import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../autodiff/index.js';
import { ShapeError, UserError } from '../../errors/index.js';
import { ops } from '../functional.js';
import { host, run1, trace } from './test-utils.js';

// an embedding table: row r = [10 r, 10 r + 1]
const table = host([4, 2], [0, 1, 10, 11, 20, 21, 30, 31]);

describe('gather: forward', () => {
  it('picks rows along axis 0 with [2, 2] indices, negative ones from the end', async () => {
    const y = await run1((t, i) => t.gather(i, 0), [table, host([2, 2], [3, 0, -1, 1], 'i32')]);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([30, 31, 0, 1, 30, 31, 10, 11]);
  });

  it('picks columns along axis 1 with i64 indices', async () => {
    const x = host([2, 3], [0, 1, 2, 10, 11, 12]);
    const y = await run1((t, i) => t.gather(i, -1), [x, host([4], [2, 2, 0, 1], 'i64')]);
    expect(y.shape).toEqual([2, 4]);
    expect(y.toArray()).toEqual([2, 2, 0, 1, 12, 12, 10, 11]);
  });

  it('an out-of-range index is a UserError naming the index, the axis and its size', async () => {
    const run = () => run1((t, i) => t.gather(i, 0), [table, host([2], [1, 7], 'i32')]);
    await expect(run()).rejects.toThrow(UserError);
    await expect(run()).rejects.toThrow('gather: index 7 is out of range for axis 0 of size 4');
    await expect(run1((t, i) => t.gather(i, 0), [table, host([1], [-5], 'i32')])).rejects.toThrow(
      /index -5/,
    );
  });
});

describe('scatter_add: forward', () => {
  it('adds rows into a zero tensor along axis 0, accumulating repeated indices', async () => {
    const updates = host([3, 2], [1, 2, 3, 4, 5, 6]);
    const y = await run1(
      (i, u) => ops.scatterAdd(i, u, 0, 4),
      [host([3], [2, 0, 2], 'i32'), updates],
    );
    expect(y.shape).toEqual([4, 2]);
    expect(y.toArray()).toEqual([3, 4, 0, 0, 6, 8, 0, 0]);
  });

  it('scatters along axis 1 with [2, 2] indices', async () => {
    // updates [1, 2, 2]: indices [[0, 2], [2, -3]] on an axis of size 3
    const y = await run1(
      (i, u) => ops.scatterAdd(i, u, 1, 3),
      [host([2, 2], [0, 2, 2, -3], 'i32'), host([1, 2, 2], [1, 2, 3, 4])],
    );
    expect(y.shape).toEqual([1, 3]);
    expect(y.toArray()).toEqual([1 + 4, 0, 2 + 3]);
  });

  it('an out-of-range index is a UserError', async () => {
    const run = () =>
      run1((i, u) => ops.scatterAdd(i, u, 0, 2), [host([1], [2], 'i32'), host([1], [1])]);
    await expect(run()).rejects.toThrow(UserError);
    await expect(run()).rejects.toThrow(
      'scatter_add: index 2 is out of range for axis 0 of size 2',
    );
  });
});

describe('gather and scatter_add: gradients (finite differences in f64)', () => {
  const idx = (shape: number[], values: number[]) => ({ shape, dtype: 'i32' as const, values });

  it('gather along axis 0 with repeated indices (an embedding lookup)', async () => {
    const r = await gradcheck(
      (t, i) => t.gather(i, 0),
      [{ shape: [5, 3] }, idx([2, 3], [1, 4, 1, 0, -1, 1])],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });

  it('gather along axis 1 of a 3-D tensor with repeated indices', async () => {
    const r = await gradcheck(
      (t, i) => t.gather(i, 1),
      [{ shape: [2, 4, 3] }, idx([5], [3, 3, 0, 2, 3])],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });

  it('gather along axis -1', async () => {
    const r = await gradcheck((t, i) => t.gather(i, -1), [{ shape: [3, 4] }, idx([2], [2, 2])]);
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });

  it('scatter_add along axis 0 with repeated indices', async () => {
    const r = await gradcheck(
      (i, u) => ops.scatterAdd(i, u, 0, 4),
      [idx([5], [0, 3, 0, 0, 2]), { shape: [5, 2] }],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });

  it('scatter_add along axis 1 with [2, 2] indices', async () => {
    const r = await gradcheck(
      (i, u) => ops.scatterAdd(i, u, 1, 3),
      [idx([2, 2], [1, 1, 2, 1]), { shape: [2, 2, 2, 3] }],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });
});

describe('gather and scatter_add: types', () => {
  it('infer ONNX Gather shapes and the scatter_add shape', () => {
    const g = trace((t, i) => t.gather(i, 1), [[2, 5, 3], 'bf16'], [[4, 6], 'i64']);
    expect(g.shape).toEqual([2, 4, 6, 3]);
    expect(g.dtype).toBe('bf16');
    expect(trace((t, i) => t.gather(i, 0), [7], [[], 'i32']).shape).toEqual([]);
    const s = trace((i, u) => ops.scatterAdd(i, u, 1, 9), [[4, 6], 'i32'], [2, 4, 6, 3]);
    expect(s.shape).toEqual([2, 9, 3]);
  });

  it('gather rejects float indices, naming them', () => {
    const f = () => trace((t, i) => t.gather(i, 0), [4, 2], [3]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow('gather: indices must be i32 or i64, got f32[3]');
  });

  it('gather rejects an axis out of range', () => {
    expect(() => trace((t, i) => t.gather(i, 2), [4, 2], [[3], 'i32'])).toThrow(
      /gather: axis 2 is out of range for rank 2 of shape \[4, 2\]/,
    );
  });

  it('scatter_add rejects updates that do not match the indices', () => {
    const f = () => trace((i, u) => ops.scatterAdd(i, u, 0, 4), [[3], 'i32'], [2, 5]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/scatter_add: updates f32\[2, 5\] need axes 0..0 equal to indices i32\[3\]/);
  });
});
