import { ShapeError } from '../../errors/index.js';
import type { OpDef, RefArray, RefContext, RefTensor, TypeInfo } from '../op-def.js';
import { formatShape, normAxis, type Shape, sizeOf, stridesOf } from '../shape.js';
import { broadcastIndex, commonDtype, describe, sumToShape } from './helpers.js';

type MovementName = 'reshape' | 'transpose' | 'slice' | 'pad' | 'concat' | 'broadcast_to';

/**
 * For each flat index of `shape` (row-major), the offset `base + sum(i_k * strides[k])`: the one
 * strided walk behind every movement kernel.
 */
export function stridedIndex(shape: Shape, strides: readonly number[], base = 0): Int32Array {
  const rank = shape.length;
  const index = new Int32Array(sizeOf(shape));
  const counter = new Array<number>(rank).fill(0);
  let offset = base;
  for (let flat = 0; flat < index.length; flat++) {
    index[flat] = offset;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      offset += strides[axis];
      if (counter[axis] < shape[axis]) break;
      offset -= strides[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return index;
}

/** y[i] = x[index[i]] */
function take(x: RefTensor, index: Int32Array, out: TypeInfo, ctx: RefContext): RefArray {
  const y = ctx.alloc(out.dtype, index.length);
  for (let i = 0; i < index.length; i++) y[i] = x.data[index[i]];
  return y;
}

/** One entry per axis: `attrs` must have the input's rank. */
function perAxis(op: string, name: string, values: readonly number[], x: TypeInfo): void {
  if (values.length !== x.shape.length) {
    throw new ShapeError(
      `${op}: ${name} has ${values.length} entries for ${describe(x)} of rank ${x.shape.length}`,
    );
  }
}

/** `shape` with at most one -1 resolved so that it holds `size` elements. */
function resolveShape(x: TypeInfo, shape: Shape): number[] {
  const size = sizeOf(x.shape);
  const bad = `reshape: cannot reshape ${describe(x)} (${size} elements) to ${formatShape(shape)}`;
  const free = shape.flatMap((d, i) => (d === -1 ? [i] : []));
  if (free.length > 1) throw new ShapeError(`${bad}: at most one dimension may be -1`);
  if (shape.some((d) => d !== -1 && (!Number.isInteger(d) || d < 0))) {
    throw new ShapeError(`${bad}: dimensions must be non-negative integers`);
  }
  const known = shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
  const resolved = [...shape];
  if (free.length === 1) {
    if (known === 0 || size % known !== 0) throw new ShapeError(bad);
    resolved[free[0]] = size / known;
  }
  if (sizeOf(resolved) !== size) throw new ShapeError(bad);
  return resolved;
}

export const MOVEMENT_OPS = {
  reshape: {
    arity: 1,
    infer: ([x], { shape }) => ({ shape: resolveShape(x, shape), dtype: x.dtype }),
    reference([x], _attrs, out, ctx) {
      const y = ctx.alloc(out.dtype, x.data.length);
      y.set(x.data);
      return y;
    },
    // d(reshape x) = reshape(dy) back to the input shape
    vjp: ({ dy, inputs: [x] }) => [dy.reshape(x.shape)],
  },
  transpose: {
    arity: 1,
    infer([x], { perm }) {
      const rank = x.shape.length;
      const seen = new Set(perm);
      if (
        perm.length !== rank ||
        seen.size !== rank ||
        perm.some((p) => !Number.isInteger(p) || p < 0 || p >= rank)
      ) {
        throw new ShapeError(
          `transpose: perm [${perm.join(', ')}] is not a permutation of the axes of ${describe(x)}`,
        );
      }
      return { shape: perm.map((p) => x.shape[p]), dtype: x.dtype };
    },
    reference([x], { perm }, out, ctx) {
      const strides = stridesOf(x.shape);
      const index = stridedIndex(
        out.shape,
        perm.map((p) => strides[p]),
      );
      return take(x, index, out, ctx);
    },
    // d(transpose x) = transpose(dy) by the inverse permutation
    vjp({ dy, attrs: { perm } }) {
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        inverse[p] = i;
      });
      return [dy.transpose(inverse)];
    },
  },
  slice: {
    arity: 1,
    infer([x], { starts, ends }) {
      perAxis('slice', 'starts', starts, x);
      perAxis('slice', 'ends', ends, x);
      const shape = x.shape.map((d, i) => {
        const [s, e] = [starts[i], ends[i]];
        if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || s > e || e > d) {
          throw new ShapeError(
            `slice: axis ${i}: range [${s}, ${e}) is out of bounds for ${describe(x)} (size ${d})`,
          );
        }
        return e - s;
      });
      return { shape, dtype: x.dtype };
    },
    reference([x], { starts }, out, ctx) {
      const strides = stridesOf(x.shape);
      const base = starts.reduce((acc, s, i) => acc + s * strides[i], 0);
      return take(x, stridedIndex(out.shape, strides, base), out, ctx);
    },
    // d(slice x) = dy padded with zeros back to the input shape
    vjp: ({ dy, attrs: { starts, ends }, inputs: [x] }) => [
      dy.pad(
        starts,
        x.shape.map((d, i) => d - ends[i]),
      ),
    ],
  },
  pad: {
    arity: 1,
    infer([x], { before, after }) {
      perAxis('pad', 'before', before, x);
      perAxis('pad', 'after', after, x);
      const shape = x.shape.map((d, i) => {
        const [b, a] = [before[i], after[i]];
        if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) {
          throw new ShapeError(
            `pad: axis ${i}: padding (${b}, ${a}) of ${describe(x)} must be non-negative integers`,
          );
        }
        return b + d + a;
      });
      return { shape, dtype: x.dtype };
    },
    reference([x], { before }, out, ctx) {
      const y = ctx.alloc(out.dtype, sizeOf(out.shape));
      const strides = stridesOf(out.shape);
      const base = before.reduce((acc, b, i) => acc + b * strides[i], 0);
      const index = stridedIndex(x.shape, strides, base);
      for (let i = 0; i < index.length; i++) y[index[i]] = x.data[i];
      return y;
    },
    // d(pad x) = the slice of dy where x sits
    vjp: ({ dy, attrs: { before }, inputs: [x] }) => [
      dy.slice(
        before,
        x.shape.map((d, i) => before[i] + d),
      ),
    ],
  },
  concat: {
    arity: [1, 1024],
    infer(inputs, { axis }) {
      const first = inputs[0];
      const a = normAxis('concat', axis, first.shape.length, first.shape);
      const dtype = commonDtype('concat', inputs);
      let size = 0;
      inputs.forEach((t, k) => {
        const fits =
          t.shape.length === first.shape.length &&
          t.shape.every((d, i) => i === a || d === first.shape[i]);
        if (!fits) {
          throw new ShapeError(
            `concat: along axis ${axis}, input ${k} ${describe(t)} does not match input 0 ${describe(first)} off that axis`,
          );
        }
        size += t.shape[a];
      });
      return { shape: first.shape.map((d, i) => (i === a ? size : d)), dtype };
    },
    reference(inputs, { axis }, out, ctx) {
      const a = normAxis('concat', axis, out.shape.length);
      const y = ctx.alloc(out.dtype, sizeOf(out.shape));
      const strides = stridesOf(out.shape);
      let start = 0;
      for (const x of inputs) {
        const index = stridedIndex(x.shape, strides, start * strides[a]);
        for (let i = 0; i < index.length; i++) y[index[i]] = x.data[i];
        start += x.shape[a];
      }
      return y;
    },
    // d(concat xs) = the slice of dy that each input filled
    vjp({ dy, attrs: { axis }, inputs }) {
      let start = 0;
      return inputs.map((x) => {
        start += x.dim(axis);
        return dy.narrow(axis, start - x.dim(axis), start);
      });
    },
  },
  broadcast_to: {
    arity: 1,
    infer([x], { shape }) {
      const lead = shape.length - x.shape.length;
      if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
        throw new ShapeError(
          `broadcast_to: ${describe(x)} does not broadcast to ${formatShape(shape)}`,
        );
      }
      return { shape: [...shape], dtype: x.dtype };
    },
    reference: ([x], _attrs, out, ctx) => take(x, broadcastIndex(out.shape, x.shape), out, ctx),
    // d(broadcast x) = dy summed back over the broadcast axes
    vjp: ({ dy, inputs: [x] }) => [sumToShape(dy, x.shape)],
  },
} satisfies { [K in MovementName]: OpDef<K> };
