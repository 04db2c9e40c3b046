import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '../../autodiff/index.js';
import { evaluate } from '../../backend/index.js';
import { ShapeError } from '../../errors/index.js';
import { GraphBuilder } from '../builder.js';
import { host, run1, trace } from './test-utils.js';

// x[i, j] = 10 i + j for a [2, 3] matrix
const x23 = host([2, 3], [0, 1, 2, 10, 11, 12]);

describe('reductions: forward', () => {
  it('sum over one axis, several axes, all axes and negative axes', async () => {
    expect((await run1((x) => x.sum(0), [x23])).toArray()).toEqual([10, 12, 14]);
    expect((await run1((x) => x.sum(-1), [x23])).toArray()).toEqual([3, 33]);
    const all = await run1((x) => x.sum(), [x23]);
    expect(all.shape).toEqual([]);
    expect(all.item()).toBe(36);
    const x3 = host([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const y = await run1((x) => x.sum([0, -1]), [x3]);
    expect(y.toArray()).toEqual([1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
  });

  it('keepdims keeps reduced axes as size 1', async () => {
    const y = await run1((x) => x.sum(1, true), [x23]);
    expect(y.shape).toEqual([2, 1]);
    expect(y.toArray()).toEqual([3, 33]);
  });

  it('sum of integers stays integer', async () => {
    const y = await run1((x) => x.sum(0), [host([3, 2], [1, 2, 3, 4, 5, -6], 'i32')]);
    expect(y.dtype).toBe('i32');
    expect(y.toArray()).toEqual([9, 0]);
  });

  it('max over axes, on floats and on integers', async () => {
    const x = host([2, 3], [1, -5, 3, -2, 7, 0]);
    expect((await run1((t) => t.max(0), [x])).toArray()).toEqual([1, 7, 3]);
    expect((await run1((t) => t.max(1, true), [x])).toArray()).toEqual([3, 7]);
    expect((await run1((t) => t.max(), [host([3], [-4, -2, -9])])).item()).toBe(-2);
    const i = await run1((t) => t.max(1), [host([2, 2], [-3, -8, 4, 2], 'i32')]);
    expect(i.dtype).toBe('i32');
    expect(i.toArray()).toEqual([-3, 4]);
  });

  it('argmax gives i32 indices and the first index at ties', async () => {
    const x = host([2, 4], [1, 5, 5, 0, 9, 2, 9, 9]);
    const y = await run1((t) => t.argmax(-1), [x]);
    expect(y.dtype).toBe('i32');
    expect(y.toArray()).toEqual([1, 0]);
    const cols = await run1((t) => t.argmax(0, true), [x]);
    expect(cols.shape).toEqual([1, 4]);
    expect(cols.toArray()).toEqual([1, 0, 1, 1]);
  });

  it('max shares the gradient evenly among tied maxima (PyTorch amax)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 3]);
    const [dx] = grad(
      x
        .max(1)
        .mul(b.constant([1, 2], [2]))
        .sum(),
      [x],
    );
    if (!dx) throw new Error('max: no gradient');
    const out = await evaluate(b.build({ dx }), { x: host([2, 3], [1, 3, 3, 4, 4, 4]) });
    expect(out.dx.toArray()).toEqual(
      [0, 0.5, 0.5, 2 / 3, 2 / 3, 2 / 3].map((v) => expect.closeTo(v, 6)),
    );
  });
});

describe('reductions: gradients (finite differences in f64)', () => {
  const axisSets: (number | number[])[] = [0, 1, -1, [0, 2], [0, 1, 2], []];
  for (const shape of [
    [2, 3, 4],
    [3, 1, 5],
  ]) {
    for (const axes of axisSets) {
      for (const keepdims of [false, true]) {
        const label = `over ${JSON.stringify(axes)} of [${shape.join(', ')}]${keepdims ? ', keepdims' : ''}`;
        it(`sum ${label}`, async () => {
          const r = await gradcheck((x) => x.sum(axes, keepdims), [{ shape }]);
          expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
        });
        it(`max ${label}`, async () => {
          const r = await gradcheck((x) => x.max(axes, keepdims), [{ shape }]);
          expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
        });
      }
    }
  }

  it('sum of all axes of a [4] vector feeding a product', async () => {
    const r = await gradcheck((x) => x.mul(x.sum()), [{ shape: [4] }]);
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });
});

describe('reductions: types', () => {
  it('infer shapes with and without keepdims', () => {
    expect(trace((x) => x.sum([0, 2]), [2, 3, 4]).shape).toEqual([3]);
    expect(trace((x) => x.sum([0, 2], true), [2, 3, 4]).shape).toEqual([1, 3, 1]);
    expect(trace((x) => x.max(-2), [2, 3, 4]).shape).toEqual([2, 4]);
    expect(trace((x) => x.sum(), [2, 3]).shape).toEqual([]);
    const am = trace((x) => x.argmax(1, true), [[2, 3, 4], 'f16']);
    expect(am.shape).toEqual([2, 1, 4]);
    expect(am.dtype).toBe('i32');
  });

  it('name the op, the axis and the shape for an axis out of range', () => {
    const f = () => trace((x) => x.sum(2), [2, 3]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/sum: axis 2 is out of range for rank 2 of shape \[2, 3\]/);
    expect(() => trace((x) => x.max(-3), [2, 3])).toThrow(/max: axis -3 is out of range/);
    expect(() => trace((x) => x.argmax(5), [2, 3])).toThrow(/argmax: axis 5 is out of range/);
  });

  it('reject a repeated axis', () => {
    expect(() => trace((x) => x.sum([1, -1]), [2, 3])).toThrow(/sum: repeated axis in \[1, -1\]/);
  });

  it('reject bool inputs', () => {
    const f = () => trace((x) => x.sum(), [[4], 'bool']);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/sum: not defined on bool\[4\]/);
  });
});
