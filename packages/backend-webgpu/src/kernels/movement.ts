import { normAxis, stridesOf } from '@tunekit/core';
import type { Lowering } from './kernel.js';
import { broadcastStrides, literal, mapKernel } from './wgsl.js';

type MovementName = 'transpose' | 'slice' | 'pad' | 'concat' | 'broadcast_to';

/**
 * Movement ops are strided reads (transpose, slice, broadcast) or strided writes (concat: one
 * dispatch per input into its region of the output). Reshape is no kernel: it aliases its input.
 */
export const MOVEMENT: { readonly [K in MovementName]: Lowering<K> } = {
  transpose(node, [x]) {
    const own = stridesOf(x.shape);
    const strides = node.attrs.perm.map((p) => own[(p + x.shape.length) % x.shape.length]);
    return [
      mapKernel({
        shape: node.shape,
        inputs: [{ node: x.id, dtype: x.dtype, strides }],
        out: node.dtype,
        expr: 'a0',
      }),
    ];
  },
  slice(node, [x]) {
    const strides = stridesOf(x.shape);
    const base = node.attrs.starts.reduce((acc, s, d) => acc + s * strides[d], 0);
    return [
      mapKernel({
        shape: node.shape,
        inputs: [{ node: x.id, dtype: x.dtype, strides, base }],
        out: node.dtype,
        expr: 'a0',
      }),
    ];
  },
  broadcast_to: (node, [x]) => [
    mapKernel({
      shape: node.shape,
      inputs: [{ node: x.id, dtype: x.dtype, strides: broadcastStrides(node.shape, x.shape) }],
      out: node.dtype,
      expr: 'a0',
    }),
  ],
  // out[c] = x[c - before] inside x, else 0
  pad(node, [x]) {
    const { before } = node.attrs;
    const strides = stridesOf(x.shape);
    const inside = x.shape
      .map((d, k) => `(c${k} >= ${before[k]}u && c${k} < ${before[k] + d}u)`)
      .join(' && ');
    const at = x.shape.map((_, k) => `(c${k} - ${before[k]}u) * ${strides[k]}u`).join(' + ');
    const zero = literal(node.dtype, 0);
    const read = x.shape.length === 0 ? 'x0[0]' : `x0[select(0u, ${at}, ${inside || 'true'})]`;
    const cond = inside || 'true';
    return [
      mapKernel({
        shape: node.shape,
        inputs: [{ node: x.id, dtype: x.dtype }],
        coords: true,
        out: node.dtype,
        expr: `select(${zero}, ${read}, ${cond})`,
      }),
    ];
  },
  concat(node, inputs) {
    const axis = normAxis('concat', node.attrs.axis, node.shape.length);
    const outStrides = stridesOf(node.shape);
    let start = 0;
    return inputs.map((x) => {
      const kernel = mapKernel({
        shape: x.shape,
        inputs: [{ node: x.id, dtype: x.dtype, strides: stridesOf(x.shape) }],
        out: node.dtype,
        expr: 'a0',
        outStrides,
        outBase: start * outStrides[axis],
      });
      start += x.shape[axis];
      return kernel;
    });
  },
};
