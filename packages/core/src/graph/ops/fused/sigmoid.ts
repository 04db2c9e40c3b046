import type { OpDef } from '../../op-def.js';
import { requireFloat } from '../helpers.js';

/**
 * The logistic function 1 / (1 + exp(-x)), whose backward is one rule: dx = dy * y * (1 - y) on
 * the saved output. In primitives it is four ops forward (neg, exp, add, reciprocal) and autodiff
 * differentiates each of them; onnxruntime runs it as one vectorised `Sigmoid` (Llama's MLP: silu
 * on [tokens, intermediate], bench/README.md "Where the step's time goes").
 */
export const sigmoid = {
  arity: 1,
  infer([x]) {
    requireFloat('sigmoid', x);
    return x;
  },
  reference([x], _attrs, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    for (let i = 0; i < x.data.length; i++) y[i] = 1 / (1 + Math.exp(-x.data[i]));
    return y;
  },
  vjp: ({ dy, out: y }) => [dy.mul(y.mul(y.neg().add(1)))],
  decompose: ([x]) => x.neg().exp().add(1).reciprocal(),
} satisfies OpDef<'sigmoid'>;
