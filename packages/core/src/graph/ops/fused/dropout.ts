import { ShapeError, UserError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import { uniformAt } from '../counter-rng.js';
import { describe, requireFloat } from '../helpers.js';

/**
 * Inverted dropout: element i is kept iff uniformAt(seed, i) >= p and then scaled by 1 / (1 - p),
 * otherwise zeroed. The mask is a pure function of (seed, i), the same on every backend, so the
 * backward pass recomputes it instead of storing it.
 */
export const dropout = {
  arity: 2,
  infer([x, seed], { p }) {
    requireFloat('dropout', x);
    if (seed.dtype !== 'i32' || seed.shape.length !== 0) {
      throw new ShapeError(
        `dropout: seed must be an i32 scalar, got ${describe(seed)} (x ${describe(x)})`,
      );
    }
    if (!(p >= 0 && p < 1)) throw new UserError(`dropout: p must be in [0, 1), got ${p}`);
    return x;
  },
  reference([x, seed], { p }, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    const s = seed.data[0];
    const scale = 1 / (1 - p);
    for (let i = 0; i < y.length; i++) y[i] = uniformAt(s, i) >= p ? x.data[i] * scale : 0;
    return y;
  },
  // linear in x with a mask fixed by the seed: dx = dropout(dy) with the same seed and p
  vjp: ({ dy, inputs: [, seed], attrs: { p } }) => [p === 0 ? dy : ops.dropout(dy, seed, p), null],
  decompose([x, seed], { p }) {
    if (p === 0) return x;
    // uniformAt draws multiples of 2^-24, so u >= p iff u >= ceil(p 2^24) 2^-24, a threshold f32
    // holds exactly: the comparison then agrees with the reference in any float precision.
    const threshold = Math.ceil(p * 2 ** 24) * 2 ** -24;
    const u = ops.randomUniform(seed, x.shape);
    return ops.where(u.less(threshold), 0, x.mul(1 / (1 - p)));
  },
} satisfies OpDef<'dropout'>;
