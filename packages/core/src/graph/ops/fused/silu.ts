import type { OpDef } from '../../op-def.js';
import { requireFloat } from '../helpers.js';

/**
 * SiLU (swish) x * sigmoid(x), Llama's MLP activation. Its backward is one rule on the saved
 * output y and s = sigmoid(x): d/dx [x s] = s + x s (1 - s) = s (1 - y) + y, four elementwise
 * passes (1 - y, * s, + y, * dy). Autodiff through x * sigmoid(x) takes seven (dy * s, dy * x, and
 * sigmoid's dy * y (1 - y) in four, then the sum), on the MLP's widest activations.
 */
export const silu = {
  arity: 1,
  infer([x]) {
    requireFloat('silu', x);
    return x;
  },
  reference([x], _attrs, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    for (let i = 0; i < x.data.length; i++) y[i] = x.data[i] / (1 + Math.exp(-x.data[i]));
    return y;
  },
  vjp({ dy, inputs: [x], out: y }) {
    const s = x.sigmoid();
    return [dy.mul(s.mul(y.builder.scalar(1, y.dtype).sub(y)).add(y))];
  },
  decompose: ([x]) => x.mul(x.sigmoid()),
} satisfies OpDef<'silu'>;
