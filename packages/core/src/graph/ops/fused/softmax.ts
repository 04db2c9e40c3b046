import type { OpDef } from '../../op-def.js';
import { normAxis } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { requireFloat } from '../helpers.js';
import { forEachLane } from './helpers.js';

/**
 * softmax written in primitives: exp(x - max) / sum(exp(x - max)). Subtracting the max keeps exp
 * from overflowing and cancels in the ratio (its gradient contributions sum to zero).
 */
export function softmaxOf(x: Tensor, axis: number): Tensor {
  const e = x.sub(x.max(axis, true)).exp();
  return e.div(e.sum(axis, true));
}

export const softmax = {
  arity: 1,
  infer([x], { axis }) {
    requireFloat('softmax', x);
    normAxis('softmax', axis, x.shape.length, x.shape);
    return x;
  },
  // per lane: m = max x, e = exp(x - m), y = e / sum(e); an all -inf lane gives NaN, as PyTorch
  reference([x], { axis }, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    forEachLane(x.shape, normAxis('softmax', axis, x.shape.length), (base, stride, n) => {
      const e = new Float64Array(n);
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < n; k++) m = Math.max(m, x.data[base + k * stride]);
      let sum = 0;
      for (let k = 0; k < n; k++) {
        e[k] = Math.exp(x.data[base + k * stride] - m);
        sum += e[k];
      }
      for (let k = 0; k < n; k++) y[base + k * stride] = e[k] / sum;
    });
    return y;
  },
  // dx = y * (dy - sum(dy * y)): the Jacobian of softmax is diag(y) - y y^T
  vjp: ({ dy, out: y, attrs: { axis } }) => [y.mul(dy.sub(dy.mul(y).sum(axis, true)))],
  decompose: ([x], { axis }) => softmaxOf(x, axis),
} satisfies OpDef<'softmax'>;
