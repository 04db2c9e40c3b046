import { ShapeError, UserError } from '../../errors/index.js';
import { ops } from '../functional.js';
import type { OpDef, RefTensor } from '../op-def.js';
import { normAxis, sameShape, sizeOf } from '../shape.js';
import { describe, requireIndex } from './helpers.js';

/** An index as stored, negative ones counted from the end, checked against the axis size. */
function resolveIndex(
  op: string,
  indices: RefTensor,
  j: number,
  axis: number,
  size: number,
): number {
  const raw = indices.data[j];
  const idx = raw < 0 ? raw + size : raw;
  if (idx < 0 || idx >= size) {
    throw new UserError(`${op}: index ${raw} is out of range for axis ${axis} of size ${size}`);
  }
  return idx;
}

/** A shape split around `axis` into (outer, axis size, inner) element counts. */
function around(shape: readonly number[], axis: number, span = 1): [number, number] {
  return [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis + span))];
}

export const INDEXING_OPS = {
  gather: {
    arity: 2,
    infer([data, indices], { axis }) {
      requireIndex('gather', indices);
      const a = normAxis('gather', axis, data.shape.length, data.shape);
      const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
      return { shape, dtype: data.dtype };
    },
    // y[o, j, t] = data[o, indices[j], t]
    reference([data, indices], { axis }, out, ctx) {
      const a = normAxis('gather', axis, data.shape.length);
      const size = data.shape[a];
      const [outer, inner] = around(data.shape, a);
      const count = indices.data.length;
      const y = ctx.alloc(out.dtype, sizeOf(out.shape));
      for (let j = 0; j < count; j++) {
        const idx = resolveIndex('gather', indices, j, a, size);
        for (let o = 0; o < outer; o++) {
          const src = (o * size + idx) * inner;
          const dst = (o * count + j) * inner;
          for (let t = 0; t < inner; t++) y[dst + t] = data.data[src + t];
        }
      }
      return y;
    },
    // d(gather data) = dy scattered back (added) into the gathered rows
    vjp({ dy, attrs, inputs: [data, indices] }) {
      const a = normAxis('gather', attrs.axis, data.rank);
      return [ops.scatterAdd(indices, dy, a, data.shape[a]), null];
    },
  },
  scatter_add: {
    arity: 2,
    infer([indices, updates], { axis, size }) {
      requireIndex('scatter_add', indices);
      if (updates.dtype === 'bool')
        throw new ShapeError(`scatter_add: not defined on ${describe(updates)}`);
      const rank = updates.shape.length - indices.shape.length + 1;
      const a = normAxis('scatter_add', axis, Math.max(rank, 0), updates.shape);
      const covered = updates.shape.slice(a, a + indices.shape.length);
      if (!sameShape(covered, indices.shape)) {
        throw new ShapeError(
          `scatter_add: updates ${describe(updates)} need axes ${a}..${a + indices.shape.length - 1} equal to indices ${describe(indices)}`,
        );
      }
      if (!Number.isInteger(size) || size < 0) {
        throw new ShapeError(
          `scatter_add: size ${size} must be a non-negative integer (output axis ${a})`,
        );
      }
      const shape = [
        ...updates.shape.slice(0, a),
        size,
        ...updates.shape.slice(a + indices.shape.length),
      ];
      return { shape, dtype: updates.dtype };
    },
    // y[o, indices[j], t] += updates[o, j, t], duplicates accumulating (in f64)
    reference([indices, updates], { axis, size }, out, ctx) {
      const a = normAxis('scatter_add', axis, out.shape.length);
      const count = indices.data.length;
      const [outer, inner] = around(updates.shape, a, indices.shape.length);
      const acc = new Float64Array(sizeOf(out.shape));
      for (let j = 0; j < count; j++) {
        const idx = resolveIndex('scatter_add', indices, j, a, size);
        for (let o = 0; o < outer; o++) {
          const src = (o * count + j) * inner;
          const dst = (o * size + idx) * inner;
          for (let t = 0; t < inner; t++) acc[dst + t] += updates.data[src + t];
        }
      }
      const y = ctx.alloc(out.dtype, acc.length);
      y.set(acc);
      return y;
    },
    // d(scatter_add updates) = dy gathered at the same indices
    vjp({ dy, attrs, inputs: [indices] }) {
      const a = normAxis('scatter_add', attrs.axis, dy.rank);
      return [null, dy.gather(indices, a)];
    },
  },
} satisfies { gather: OpDef<'gather'>; scatter_add: OpDef<'scatter_add'> };
