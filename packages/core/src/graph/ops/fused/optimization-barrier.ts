import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';

/**
 * `x` itself, but only once `after` exists and never merged with `x` by a compiler: (x, after)
 * -> x. Gradient checkpointing feeds a layer's recomputation through it with the layer's output
 * cotangent as `after`, so a backend can neither run the recomputation during the forward pass
 * nor fold it back into the forward's values by common-subexpression elimination (JAX's
 * `optimization_barrier`, with the scheduling edge of TensorFlow's control dependencies).
 */
export const optimizationBarrier = {
  arity: 2,
  infer: ([x]) => x,
  reference([x], _attrs, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    y.set(x.data);
    return y;
  },
  vjp: ({ dy }) => [dy, null],
  // where(c, x, x) is x for any c; c reads one element of `after`, which orders it after `after`
  // and keeps the result a value of its own
  decompose([x, after]) {
    // (a scalar `after` is read whole: onnxruntime's Slice rejects scalars)
    const first =
      after.rank === 0
        ? after
        : after
            .slice(
              after.shape.map(() => 0),
              after.shape.map(() => 1),
            )
            .reshape([]);
    return ops.where(first.equal(first), x, x);
  },
} satisfies OpDef<'optimization_barrier'>;
