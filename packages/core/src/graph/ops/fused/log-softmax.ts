import type { OpDef } from '../../op-def.js';
import { normAxis } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { requireFloat } from '../helpers.js';
import { forEachLane } from './helpers.js';

/** log_softmax written in primitives: (x - max) - log(sum(exp(x - max))). */
export function logSoftmaxOf(x: Tensor, axis: number): Tensor {
  const shifted = x.sub(x.max(axis, true));
  return shifted.sub(shifted.exp().sum(axis, true).log());
}

export const logSoftmax = {
  arity: 1,
  infer([x], { axis }) {
    requireFloat('log_softmax', x);
    normAxis('log_softmax', axis, x.shape.length, x.shape);
    return x;
  },
  // per lane: y = (x - m) - log(sum(exp(x - m))) with m = max x
  reference([x], { axis }, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    forEachLane(x.shape, normAxis('log_softmax', axis, x.shape.length), (base, stride, n) => {
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < n; k++) m = Math.max(m, x.data[base + k * stride]);
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(x.data[base + k * stride] - m);
      const logSum = Math.log(sum);
      for (let k = 0; k < n; k++) y[base + k * stride] = x.data[base + k * stride] - m - logSum;
    });
    return y;
  },
  // dx = dy - softmax(x) * sum(dy), with softmax(x) = exp(y)
  vjp: ({ dy, out: y, attrs: { axis } }) => [dy.sub(y.exp().mul(dy.sum(axis, true)))],
  decompose: ([x], { axis }) => logSoftmaxOf(x, axis),
} satisfies OpDef<'log_softmax'>;
