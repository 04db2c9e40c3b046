import { ShapeError, UserError } from '../../errors/index.js';
import type { OpDef } from '../op-def.js';
import { formatShape, sizeOf } from '../shape.js';
import { uniformAt } from './counter-rng.js';
import { describe } from './helpers.js';

export const LEAF_OPS = {
  input: {
    arity: 0,
    infer: (_inputs, { shape, dtype }) => ({ shape, dtype }),
    reference(_inputs, { name }) {
      throw new UserError(`graph input '${name}' was not fed`);
    },
  },
  constant: {
    arity: 0,
    infer(_inputs, { shape, dtype, value }) {
      if (typeof value !== 'number' && value.length !== sizeOf(shape)) {
        throw new ShapeError(
          `constant: ${value.length} values do not fill shape ${formatShape(shape)}`,
        );
      }
      return { shape, dtype };
    },
    reference(_inputs, { value }, out, ctx) {
      const y = ctx.alloc(out.dtype, sizeOf(out.shape));
      if (typeof value === 'number') y.fill(value);
      else y.set(value);
      return y;
    },
  },
  arange: {
    arity: 0,
    infer: (_inputs, { n, dtype }) => ({ shape: [n], dtype }),
    reference(_inputs, { n }, out, ctx) {
      const y = ctx.alloc(out.dtype, n);
      for (let i = 0; i < n; i++) y[i] = i;
      return y;
    },
  },
  random_uniform: {
    arity: 1,
    infer([seed], { shape }) {
      if (seed.dtype !== 'i32' || seed.shape.length !== 0) {
        throw new ShapeError(`random_uniform: seed must be an i32 scalar, got ${describe(seed)}`);
      }
      return { shape, dtype: 'f32' };
    },
    reference([seed], _attrs, out, ctx) {
      const y = ctx.alloc('f32', sizeOf(out.shape));
      const s = seed.data[0];
      for (let i = 0; i < y.length; i++) y[i] = uniformAt(s, i);
      return y;
    },
  },
} satisfies { [K in 'input' | 'constant' | 'arange' | 'random_uniform']: OpDef<K> };
