import { ShapeError } from '../../errors/index.js';
import { isFloat } from '../dtype.js';
import type { OpDef, RefArray, VjpArgs } from '../op-def.js';
import { erf } from './erf.js';
import { describe, requireFloat } from './helpers.js';

type UnaryName =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'erf'
  | 'abs'
  | 'sign';

/** One elementwise op: its scalar function, whether it needs floats, and its derivative. */
function unary<K extends UnaryName>(
  op: K,
  f: (x: number) => number,
  floatOnly: boolean,
  vjp?: OpDef<K>['vjp'],
): OpDef<K> {
  return {
    arity: 1,
    infer([x]) {
      if (floatOnly) requireFloat(op, x);
      else if (x.dtype === 'bool') throw new ShapeError(`${op}: not defined on ${describe(x)}`);
      return x;
    },
    reference([x], _attrs, out, ctx) {
      const y = ctx.alloc(out.dtype, x.data.length);
      for (let i = 0; i < y.length; i++) y[i] = f(x.data[i]);
      return y;
    },
    vjp,
  };
}

type Args = VjpArgs<UnaryName>;

export const UNARY_OPS = {
  // d(-x) = -dy
  neg: unary(
    'neg',
    (x) => -x,
    false,
    ({ dy }: Args) => [dy.neg()],
  ),
  // d(e^x) = dy * e^x
  exp: unary('exp', Math.exp, true, ({ dy, out }: Args) => [dy.mul(out)]),
  // d(log x) = dy / x
  log: unary('log', Math.log, true, ({ dy, inputs: [x] }: Args) => [dy.div(x)]),
  // d(sqrt x) = dy / (2 sqrt x)
  sqrt: unary('sqrt', Math.sqrt, true, ({ dy, out }: Args) => [dy.div(out.mul(2))]),
  // d(1/x) = -dy / x^2 = -dy * y^2
  reciprocal: unary(
    'reciprocal',
    (x) => 1 / x,
    true,
    ({ dy, out }: Args) => [dy.mul(out.mul(out)).neg()],
  ),
  sin: unary('sin', Math.sin, true, ({ dy, inputs: [x] }: Args) => [dy.mul(x.cos())]),
  cos: unary('cos', Math.cos, true, ({ dy, inputs: [x] }: Args) => [dy.mul(x.sin()).neg()]),
  // d(tanh x) = dy * (1 - y^2)
  tanh: unary('tanh', Math.tanh, true, ({ dy, out }: Args) => [dy.mul(out.mul(out).neg().add(1))]),
  // d(erf x) = dy * 2/sqrt(pi) * exp(-x^2)
  erf: unary('erf', erf, true, ({ dy, inputs: [x] }: Args) => [
    dy.mul(
      x
        .mul(x)
        .neg()
        .exp()
        .mul(2 / Math.sqrt(Math.PI)),
    ),
  ]),
  // d|x| = dy * sign(x) (0 at 0, as PyTorch)
  abs: unary('abs', Math.abs, false, ({ dy, inputs: [x] }: Args) => [dy.mul(x.sign())]),
  // piecewise constant: no gradient
  sign: unary('sign', Math.sign, false),
  cast: {
    arity: 1,
    infer([x], { dtype }) {
      return { shape: x.shape, dtype };
    },
    reference([x], { dtype }, out, ctx) {
      const y: RefArray = ctx.alloc(out.dtype, x.data.length);
      const toInt = !isFloat(dtype) && dtype !== 'bool';
      for (let i = 0; i < y.length; i++) {
        const v = x.data[i];
        y[i] = dtype === 'bool' ? (v !== 0 ? 1 : 0) : toInt ? Math.trunc(v) : v;
      }
      return y;
    },
    // the gradient flows back through the cast only between float types
    vjp: ({ dy, inputs: [x] }) => [isFloat(x.dtype) ? dy.cast(x.dtype) : null],
  },
} satisfies { [K in UnaryName | 'cast']: OpDef<K> };
