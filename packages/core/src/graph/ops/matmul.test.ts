import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../autodiff/index.js';
import { ShapeError } from '../../errors/index.js';
import { host, run1, trace } from './test-utils.js';

describe('matmul: forward', () => {
  it('multiplies matrices', async () => {
    // [[1, 2, 3], [4, 5, 6]] @ [[1, 0], [0, 1], [2, -1]]
    const a = host([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = host([3, 2], [1, 0, 0, 1, 2, -1]);
    const y = await run1((p, q) => p.matmul(q), [a, b]);
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([7, -1, 16, -1]);
  });

  it('broadcasts a matrix over a batch', async () => {
    // batch 0 is the identity, batch 1 swaps rows; both times [[1, 2], [3, 4]]
    const a = host([2, 2, 2], [1, 0, 0, 1, 0, 1, 1, 0]);
    const b = host([2, 2], [1, 2, 3, 4]);
    const y = await run1((p, q) => p.matmul(q), [a, b]);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([1, 2, 3, 4, 3, 4, 1, 2]);
  });

  it('broadcasts size-1 batch axes of both operands ([2, 1] x [1, 3] batches)', async () => {
    // a[i] = (i + 1) * I, b[j] = [[j]] in 1x1 matrices: y[i, j] = (i + 1) * j
    const a = host([2, 1, 1, 1], [1, 2]);
    const b = host([1, 3, 1, 1], [0, 1, 2]);
    const y = await run1((p, q) => p.matmul(q), [a, b]);
    expect(y.shape).toEqual([2, 3, 1, 1]);
    expect(y.toArray()).toEqual([0, 1, 2, 0, 2, 4]);
  });

  it('multiplies integer matrices', async () => {
    const y = await run1(
      (p, q) => p.matmul(q),
      [host([1, 2], [3, -4], 'i32'), host([2, 1], [5, 6], 'i32')],
    );
    expect(y.dtype).toBe('i32');
    expect(y.toArray()).toEqual([-9]);
  });
});

describe('matmul: gradients (finite differences in f64)', () => {
  const cases: [number[], number[]][] = [
    [
      [2, 3],
      [3, 4],
    ],
    [
      [1, 5],
      [5, 1],
    ],
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
    [
      [2, 3, 4, 5],
      [5, 6],
    ],
    [
      [4, 5],
      [3, 5, 2],
    ],
    [
      [3, 1, 4, 5],
      [2, 5, 6],
    ],
    // a weight narrower than tall (LoRA's A): its gradient is computed as (dy^T A)^T
    [
      [2, 3, 6],
      [6, 2],
    ],
    [
      [5, 6],
      [6, 2],
    ],
  ];
  for (const [sa, sb] of cases) {
    it(`[${sa.join(', ')}] x [${sb.join(', ')}]`, async () => {
      const r = await gradcheck((a, b) => a.matmul(b), [{ shape: sa }, { shape: sb }]);
      expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
    });
  }

  it('a product with itself transposed (x x^T)', async () => {
    const r = await gradcheck((x) => x.matmul(x.transpose()), [{ shape: [3, 4] }]);
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });
});

describe('matmul: types', () => {
  it('infers the broadcast batch and the [m, n] result', () => {
    expect(trace((a, b) => a.matmul(b), [2, 3, 4, 5], [5, 6]).shape).toEqual([2, 3, 4, 6]);
    expect(trace((a, b) => a.matmul(b), [3, 1, 4, 5], [2, 5, 6]).shape).toEqual([3, 2, 4, 6]);
    expect(trace((a, b) => a.matmul(b), [[2, 3], 'bf16'], [[3, 7], 'bf16']).dtype).toBe('bf16');
  });

  it('an inner-dimension mismatch names both operands', () => {
    const f = () => trace((a, b) => a.matmul(b), [2, 3], [4, 5]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow('matmul: inner dimensions differ: f32[2, 3] @ f32[4, 5] (3 vs 4)');
  });

  it('batch axes that do not broadcast are named', () => {
    const f = () => trace((a, b) => a.matmul(b), [2, 3, 4], [5, 4, 6]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/matmul: batch dimensions of f32\[2, 3, 4\] @ f32\[5, 4, 6\]/);
  });

  it('vectors and mixed dtypes are rejected', () => {
    expect(() => trace((a, b) => a.matmul(b), [3], [3, 2])).toThrow(
      /matmul: both operands need rank >= 2: f32\[3\] @ f32\[3, 2\]/,
    );
    expect(() => trace((a, b) => a.matmul(b), [[2, 2], 'f32'], [[2, 2], 'f16'])).toThrow(
      /matmul: dtypes differ/,
    );
  });
});
