import { ShapeError } from '../../errors/index.js';
import { ops } from '../functional.js';
import type { OpDef, RefTensor, TypeInfo, VjpArgs } from '../op-def.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastIndex, commonDtype, describe, sumToShape } from './helpers.js';

type Arith = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';
type Compare = 'equal' | 'less' | 'greater';

/** out[i] = f(a[ia(i)], b[ib(i)]) with NumPy broadcasting. */
function broadcastMap(
  inputs: readonly RefTensor[],
  out: TypeInfo,
  y: Float32Array | Float64Array | Int32Array | Uint8Array,
  f: (...v: number[]) => number,
) {
  const index = inputs.map((t) => broadcastIndex(out.shape, t.shape));
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < y.length; i++) {
    for (let k = 0; k < inputs.length; k++) args[k] = inputs[k].data[index[k][i]];
    y[i] = f(...args);
  }
  return y;
}

function binary<K extends Arith | Compare>(
  op: K,
  f: (a: number, b: number) => number,
  vjp?: (args: VjpArgs<K>) => [Tensor, Tensor],
): OpDef<K> {
  const compare = op === 'equal' || op === 'less' || op === 'greater';
  return {
    arity: 2,
    infer([a, b]) {
      const dtype = commonDtype(op, [a, b]);
      if (dtype === 'bool' && !compare)
        throw new ShapeError(`${op}: not defined on ${describe(a)}`);
      return { shape: broadcastShapes(op, a.shape, b.shape), dtype: compare ? 'bool' : dtype };
    },
    reference(inputs, _attrs, out, ctx) {
      return broadcastMap(inputs, out, ctx.alloc(out.dtype, sizeOfInfo(out)), f);
    },
    // every cotangent is summed back over the axes its input was broadcast along
    vjp: vjp && ((args) => vjp(args).map((g, i) => sumToShape(g, args.inputs[i].shape))),
  };
}

function sizeOfInfo(t: TypeInfo): number {
  return t.shape.reduce((n, d) => n * d, 1);
}

/** 1 where a wins, 1/2 at ties (the gradient is shared, as PyTorch does), else 0. */
function winMask(a: Tensor, b: Tensor, wins: 'greater' | 'less'): Tensor {
  return a[wins](b).cast(a.dtype).add(a.equal(b).cast(a.dtype).mul(0.5));
}

type Args<K extends Arith> = VjpArgs<K>;

export const BINARY_OPS = {
  add: binary(
    'add',
    (a, b) => a + b,
    ({ dy }: Args<'add'>) => [dy, dy],
  ),
  sub: binary(
    'sub',
    (a, b) => a - b,
    ({ dy }: Args<'sub'>) => [dy, dy.neg()],
  ),
  mul: binary(
    'mul',
    (a, b) => a * b,
    ({ dy, inputs: [a, b] }: Args<'mul'>) => [dy.mul(b), dy.mul(a)],
  ),
  // d(a/b) = dy/b, -dy*a/b^2 = -dy*y/b
  div: binary(
    'div',
    (a, b) => a / b,
    ({ dy, out, inputs: [, b] }: Args<'div'>) => [dy.div(b), dy.mul(out).div(b).neg()],
  ),
  // d(a^b) = dy*b*a^(b-1), dy*a^b*log(a)
  pow: binary(
    'pow',
    (a, b) => a ** b,
    ({ dy, out, inputs: [a, b] }: Args<'pow'>) => [
      dy.mul(b).mul(a.pow(b.sub(1))),
      dy.mul(out).mul(a.log()),
    ],
  ),
  maximum: binary('maximum', Math.max, ({ dy, inputs: [a, b] }: Args<'maximum'>) => {
    const m = winMask(a, b, 'greater');
    return [dy.mul(m), dy.mul(m.neg().add(1))];
  }),
  minimum: binary('minimum', Math.min, ({ dy, inputs: [a, b] }: Args<'minimum'>) => {
    const m = winMask(a, b, 'less');
    return [dy.mul(m), dy.mul(m.neg().add(1))];
  }),
  equal: binary('equal', (a, b) => (a === b ? 1 : 0)),
  less: binary('less', (a, b) => (a < b ? 1 : 0)),
  greater: binary('greater', (a, b) => (a > b ? 1 : 0)),
  where: {
    arity: 3,
    infer([cond, a, b]) {
      if (cond.dtype !== 'bool')
        throw new ShapeError(`where: condition must be bool, got ${describe(cond)}`);
      const dtype = commonDtype('where', [a, b]);
      return {
        shape: broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape),
        dtype,
      };
    },
    reference(inputs, _attrs, out, ctx) {
      return broadcastMap(inputs, out, ctx.alloc(out.dtype, sizeOfInfo(out)), (c, a, b) =>
        c ? a : b,
      );
    },
    // d/da = dy where cond, d/db = dy elsewhere
    vjp: ({ dy, inputs: [cond, a, b] }) => [
      null,
      sumToShape(ops.where(cond, dy, 0), a.shape),
      sumToShape(ops.where(cond, 0, dy), b.shape),
    ],
  },
} satisfies { [K in Arith | Compare | 'where']: OpDef<K> };
