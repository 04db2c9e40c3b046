import { ShapeError } from '../../errors/index.js';
import type { OpDef, RefArray, RefContext, RefTensor, TypeInfo } from '../op-def.js';
import { normAxes, normAxis, type Shape, sameShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastIndex, describe } from './helpers.js';

type ReduceName = 'sum' | 'max';

/** The input shape with each reduced axis set to 1 (keepdims) or removed. */
function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  if (keepdims) return shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return shape.filter((_, i) => !axes.includes(i));
}

/** `dy` of a reduction, reshaped to keepdims form so it broadcasts against the input. */
function keepdimsOf(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  const shape = reducedShape(x.shape, normAxes('vjp', axes, x.rank), true);
  return sameShape(dy.shape, shape) ? dy : dy.reshape(shape);
}

/**
 * Folds every input element into its output slot with `f`, starting from `init`; accumulates in
 * f64 and rounds once at the end.
 */
function fold(
  x: RefTensor,
  axes: readonly number[],
  out: TypeInfo,
  ctx: RefContext,
  init: number,
  f: (acc: number, v: number) => number,
): RefArray {
  const normed = normAxes('reduce', axes, x.shape.length);
  const index = broadcastIndex(x.shape, reducedShape(x.shape, normed, true));
  const acc = new Float64Array(sizeOf(out.shape)).fill(init);
  for (let i = 0; i < x.data.length; i++) acc[index[i]] = f(acc[index[i]], x.data[i]);
  const y = ctx.alloc(out.dtype, acc.length);
  y.set(acc);
  return y;
}

function reduce<K extends ReduceName>(
  op: K,
  init: number,
  f: (acc: number, v: number) => number,
  vjp: OpDef<K>['vjp'],
): OpDef<K> {
  return {
    arity: 1,
    infer([x], { axes, keepdims }) {
      if (x.dtype === 'bool')
        throw new ShapeError(`${op}: not defined on ${describe(x)}; cast to i32 first`);
      const normed = normAxes(op, axes, x.shape.length, x.shape);
      return { shape: reducedShape(x.shape, normed, keepdims), dtype: x.dtype };
    },
    reference: ([x], { axes }, out, ctx) => fold(x, axes, out, ctx, init, f),
    vjp,
  };
}

export const REDUCE_OPS = {
  // d(sum x) = dy broadcast back over the reduced axes
  sum: reduce(
    'sum',
    0,
    (acc, v) => acc + v,
    ({ dy, attrs, inputs: [x] }) => [keepdimsOf(dy, x, attrs.axes).broadcastTo(x.shape)],
  ),
  // d(amax x) = dy shared evenly among the elements equal to the max (PyTorch amax)
  max: reduce(
    'max',
    Number.NEGATIVE_INFINITY,
    (acc, v) => (v > acc || Number.isNaN(v) ? v : acc),
    ({ dy, out, attrs, inputs: [x] }) => {
      const mask = x.equal(keepdimsOf(out, x, attrs.axes)).cast(x.dtype);
      const count = mask.sum(attrs.axes, true);
      return [keepdimsOf(dy, x, attrs.axes).mul(mask).div(count)];
    },
  ),
  argmax: {
    arity: 1,
    infer([x], { axis, keepdims }) {
      if (x.dtype === 'bool') throw new ShapeError(`argmax: not defined on ${describe(x)}`);
      const a = normAxis('argmax', axis, x.shape.length, x.shape);
      return { shape: reducedShape(x.shape, [a], keepdims), dtype: 'i32' };
    },
    // the first index of the maximum along `axis` (PyTorch's tie rule)
    reference([x], { axis }, out, ctx) {
      const a = normAxis('argmax', axis, x.shape.length);
      const n = x.shape[a];
      const inner = sizeOf(x.shape.slice(a + 1));
      const outer = sizeOf(x.shape.slice(0, a));
      const y = ctx.alloc(out.dtype, outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let t = 0; t < inner; t++) {
          let best = 0;
          let bestValue = Number.NEGATIVE_INFINITY;
          for (let j = 0; j < n; j++) {
            const v = x.data[(o * n + j) * inner + t];
            if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
              best = j;
              bestValue = v;
            }
          }
          y[o * inner + t] = best;
        }
      }
      return y;
    },
  },
} satisfies { [K in ReduceName | 'argmax']: OpDef<K> };
