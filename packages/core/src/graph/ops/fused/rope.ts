import { ShapeError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import type { Tensor } from '../../tensor.js';
import { broadcastIndex, commonDtype, describe, requireFloat, sumToShape } from '../helpers.js';
import { broadcastsTo } from './helpers.js';

/** HF rotate_half: [x1, x2] -> [-x2, x1], the halves taken along the last axis. */
function rotateHalf(x: Tensor): Tensor {
  const h = x.dim(-1) / 2;
  return ops.concat([x.narrow(-1, h, 2 * h).neg(), x.narrow(-1, 0, h)], -1);
}

/**
 * HF apply_rotary_pos_emb for one tensor: y = x * cos + rotate_half(x) * sin, x [..., T, D] with
 * D even, cos and sin broadcastable to x ([T, D] or [B, 1, T, D]). cos and sin are usually
 * functions of positions, but they get their gradients like any input (then summed over broadcast).
 */
export const rope = {
  arity: 3,
  infer([x, cos, sin]) {
    requireFloat('rope', x);
    if (x.shape.length < 2) throw new ShapeError(`rope: x must be [..., T, D], got ${describe(x)}`);
    const d = x.shape[x.shape.length - 1];
    if (d % 2 !== 0) {
      throw new ShapeError(
        `rope: the last axis (-1) of x ${describe(x)} must be even to rotate its halves, got ${d}`,
      );
    }
    for (const [name, t] of [
      ['cos', cos],
      ['sin', sin],
    ] as const) {
      if (!broadcastsTo(t.shape, x.shape)) {
        throw new ShapeError(`rope: ${name} ${describe(t)} does not broadcast to x ${describe(x)}`);
      }
    }
    commonDtype('rope', [x, cos, sin]);
    return x;
  },
  reference([x, cos, sin], _attrs, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    const d = x.shape[x.shape.length - 1];
    const h = d / 2;
    const ic = broadcastIndex(x.shape, cos.shape);
    const is = broadcastIndex(x.shape, sin.shape);
    for (let i = 0; i < y.length; i++) {
      const rotated = i % d < h ? -x.data[i + h] : x.data[i - h];
      y[i] = x.data[i] * cos.data[ic[i]] + rotated * sin.data[is[i]];
    }
    return y;
  },
  // rotate_half is the linear map R[x1, x2] = [-x2, x1], whose transpose is R^T = -R, and
  // R(u * w) = R(u) * swap(w) elementwise (swap[w1, w2] = [w2, w1]), so
  //   dx = dy * cos + R^T(dy * sin) = dy * cos + R(dy) * -swap(sin) = rope(dy, cos, -swap(sin)):
  // the backward is the same op again, with a small sin (broadcast over heads) swapped and negated;
  // dcos = dy * x; dsin = dy * R(x)
  vjp({ dy, inputs: [x, cos, sin] }) {
    const h = sin.dim(-1) / 2; // sin may broadcast along the last axis too (size 1: swap(sin) = sin)
    const swapped =
      sin.dim(-1) === 1 ? sin : ops.concat([sin.narrow(-1, h, 2 * h), sin.narrow(-1, 0, h)], -1);
    return [
      ops.rope(dy, cos, swapped.neg()),
      sumToShape(dy.mul(x), cos.shape),
      sumToShape(dy.mul(rotateHalf(x)), sin.shape),
    ];
  },
  decompose: ([x, cos, sin]) => x.mul(cos).add(rotateHalf(x).mul(sin)),
} satisfies OpDef<'rope'>;
