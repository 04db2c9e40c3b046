import type { OpDef } from '../../op-def.js';

/**
 * The identity whose gradient is zero (JAX's `lax.stop_gradient`, PyTorch's `detach()`): a value
 * used as a constant by the backward pass, such as DoRA's weight norm. Its decomposition is the
 * input itself, so no backend needs a kernel.
 */
export const stopGradient = {
  arity: 1,
  infer: ([x]) => x,
  reference([x], _attrs, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    y.set(x.data);
    return y;
  },
  vjp: () => [null],
  decompose: ([x]) => x,
} satisfies OpDef<'stop_gradient'>;
