import type { Lowering } from '../kernel.js';
import { broadcastStrides, mapKernel } from '../wgsl.js';

// y = x * cos + rotate_half(x) * sin, rotate_half([x1, x2]) = [-x2, x1] along the last axis
export const rope: Lowering<'rope'> = (node, [x, cos, sin]) => {
  const last = x.shape.length - 1;
  const h = x.shape[last] / 2;
  const view = (t: typeof x) => ({
    node: t.id,
    dtype: t.dtype,
    strides: broadcastStrides(node.shape, t.shape),
  });
  const partner = `x0[select(i - ${h}u, i + ${h}u, c${last} < ${h}u)]`;
  return [
    mapKernel({
      shape: node.shape,
      inputs: [view(x), view(cos), view(sin)],
      out: node.dtype,
      coords: true,
      expr: `a0 * a1 + select(${partner}, -${partner}, c${last} < ${h}u) * a2`,
    }),
  ];
};
