import type { DType } from '../../graph/dtype.js';
import { ops } from '../../graph/functional.js';
import type { OpName } from '../../graph/op-name.js';
import type { Tensor } from '../../graph/tensor.js';
import { segmentMask } from '../../nn/segment-mask.js';

/** How a case's input is filled: normals, positive values, integers in [lo, hi), or fixed values. */
export type Fill =
  | 'normal'
  | 'positive'
  | { readonly ints: readonly [number, number] }
  | readonly number[];

export interface CaseInput {
  readonly shape: readonly number[];
  readonly dtype?: DType;
  readonly fill?: Fill;
}

export interface OpCase {
  readonly name: string;
  readonly inputs: readonly CaseInput[];
  build(...xs: Tensor[]): Tensor;
}

const f = (...shape: number[]): CaseInput => ({ shape });
const pos = (...shape: number[]): CaseInput => ({ shape, fill: 'positive' });
const ints = (hi: number, ...shape: number[]): CaseInput => ({
  shape,
  dtype: 'i32',
  fill: { ints: [0, hi] },
});
const bytes = (n: number): CaseInput => ({ shape: [n], dtype: 'u8', fill: { ints: [0, 256] } });
/** Causal visibility of two packed examples, tokens [0, 2) and [2, 5), as a [5, 5] boolean mask. */
const SEGMENTS = [...Array(25).keys()].map((n) => {
  const [i, j] = [Math.floor(n / 5), n % 5];
  return Number(j <= i && i < 2 === j < 2);
});
const seed = (value: number): CaseInput => ({ shape: [], dtype: 'i32', fill: [value] });

const unaryCases = (build: (x: Tensor) => Tensor, input = f): OpCase[] => [
  { name: '[7]', inputs: [input(7)], build },
  { name: '[2,3,5]', inputs: [input(2, 3, 5)], build },
];
const binaryCases = (build: (a: Tensor, b: Tensor) => Tensor, rhs = f): OpCase[] => [
  { name: '[3,4] . [3,4]', inputs: [f(3, 4), rhs(3, 4)], build },
  { name: '[2,3,4] . [4]', inputs: [f(2, 3, 4), rhs(4)], build },
  { name: '[2,1,4] . [3,1]', inputs: [f(2, 1, 4), rhs(3, 1)], build },
  { name: '[] . [2,2]', inputs: [f(), rhs(2, 2)], build },
];

/**
 * The cases every backend must match the reference on: each op on several shapes, broadcasting
 * included. A missing op is a compile error.
 */
export const OP_CASES: { readonly [K in OpName]: readonly OpCase[] } = {
  input: unaryCases((x) => x),
  constant: [
    {
      name: 'add constant',
      inputs: [f(2, 3)],
      build: (x) => x.add(x.builder.constant([1, -2, 3], [3])),
    },
  ],
  arange: [
    { name: 'x + arange', inputs: [f(2, 5)], build: (x) => x.add(x.builder.arange(5, 'f32')) },
  ],
  random_uniform: [
    { name: 'seeded', inputs: [seed(7)], build: (s) => ops.randomUniform(s, [4, 33]) },
  ],
  neg: unaryCases((x) => x.neg()),
  exp: unaryCases((x) => x.exp()),
  log: unaryCases((x) => x.log(), pos),
  sqrt: unaryCases((x) => x.sqrt(), pos),
  reciprocal: unaryCases((x) => x.reciprocal(), pos),
  sin: unaryCases((x) => x.sin()),
  cos: unaryCases((x) => x.cos()),
  tanh: unaryCases((x) => x.tanh()),
  erf: unaryCases((x) => x.erf()),
  abs: unaryCases((x) => x.abs()),
  sign: unaryCases((x) => x.sign()),
  cast: [
    {
      name: 'f32 -> i32 -> f32',
      inputs: [f(3, 4)],
      build: (x) => x.mul(3).cast('i32').cast('f32'),
    },
    { name: 'i32 -> f32', inputs: [ints(50, 6)], build: (x) => x.cast('f32') },
  ],
  add: binaryCases((a, b) => a.add(b)),
  sub: binaryCases((a, b) => a.sub(b)),
  mul: binaryCases((a, b) => a.mul(b)),
  div: binaryCases((a, b) => a.div(b), pos),
  pow: [
    { name: 'positive base', inputs: [pos(3, 4), f(3, 4)], build: (a, b) => a.pow(b) },
    { name: 'square', inputs: [f(2, 3)], build: (a) => a.pow(2) },
  ],
  maximum: binaryCases((a, b) => a.maximum(b)),
  minimum: binaryCases((a, b) => a.minimum(b)),
  equal: [
    {
      name: 'rounded',
      inputs: [f(4, 5), f(5)],
      build: (a, b) => a.cast('i32').equal(b.cast('i32')).cast('f32'),
    },
  ],
  less: binaryCases((a, b) => a.less(b).cast('f32')),
  greater: binaryCases((a, b) => a.greater(b).cast('f32')),
  where: [
    {
      name: 'broadcast cond',
      inputs: [f(3, 1), f(3, 4), f(4)],
      build: (c, a, b) => ops.where(c.greater(0), a, b),
    },
  ],
  sum: [
    { name: 'all', inputs: [f(3, 4)], build: (x) => x.sum() },
    { name: 'axis -1 keepdims', inputs: [f(2, 3, 4)], build: (x) => x.sum(-1, true) },
    { name: 'axes [0, 2]', inputs: [f(2, 3, 4)], build: (x) => x.sum([0, 2]) },
  ],
  max: [
    { name: 'axis 1', inputs: [f(3, 5)], build: (x) => x.max(1) },
    { name: 'axes [0, 2] keepdims', inputs: [f(2, 3, 4)], build: (x) => x.max([0, 2], true) },
  ],
  argmax: [{ name: 'axis -1', inputs: [f(3, 6)], build: (x) => x.argmax(-1).cast('f32') }],
  reshape: [{ name: '[2,3,4] -> [6,4]', inputs: [f(2, 3, 4)], build: (x) => x.reshape([6, 4]) }],
  transpose: [
    { name: 'last two', inputs: [f(2, 3, 4)], build: (x) => x.transpose() },
    { name: '[2,0,1]', inputs: [f(2, 3, 4)], build: (x) => x.transpose([2, 0, 1]) },
  ],
  slice: [{ name: 'inner', inputs: [f(4, 6)], build: (x) => x.slice([1, 2], [3, 5]) }],
  pad: [{ name: 'both sides', inputs: [f(2, 3)], build: (x) => x.pad([1, 0], [0, 2]) }],
  concat: [
    {
      name: 'axis 1',
      inputs: [f(2, 3), f(2, 1), f(2, 2)],
      build: (a, b, c) => ops.concat([a, b, c], 1),
    },
    { name: 'axis 0', inputs: [f(1, 4), f(3, 4)], build: (a, b) => ops.concat([a, b], 0) },
  ],
  broadcast_to: [
    { name: '[3,1] -> [2,3,4]', inputs: [f(3, 1)], build: (x) => x.broadcastTo([2, 3, 4]) },
  ],
  matmul: [
    { name: '[3,4] @ [4,5]', inputs: [f(3, 4), f(4, 5)], build: (a, b) => a.matmul(b) },
    { name: 'batched', inputs: [f(2, 3, 4), f(2, 4, 5)], build: (a, b) => a.matmul(b) },
    { name: 'batch broadcast', inputs: [f(3, 1, 2, 4), f(2, 4, 3)], build: (a, b) => a.matmul(b) },
  ],
  gather: [
    { name: 'embedding rows', inputs: [f(7, 4), ints(7, 2, 3)], build: (w, i) => w.gather(i, 0) },
    { name: 'axis 1', inputs: [f(3, 5), ints(5, 4)], build: (w, i) => w.gather(i, 1) },
  ],
  scatter_add: [
    { name: 'rows', inputs: [ints(4, 6), f(6, 3)], build: (i, u) => ops.scatterAdd(i, u, 0, 4) },
  ],
  softmax: [
    { name: 'last axis', inputs: [f(3, 7)], build: (x) => x.softmax(-1) },
    { name: 'axis 0', inputs: [f(4, 2, 3)], build: (x) => x.softmax(0) },
  ],
  log_softmax: [{ name: 'last axis', inputs: [f(3, 7)], build: (x) => x.logSoftmax(-1) }],
  rms_norm: [
    { name: '[2,3,8]', inputs: [f(2, 3, 8), f(8)], build: (x, w) => ops.rmsNorm(x, w, 1e-6) },
  ],
  layer_norm: [
    {
      name: '[4,6]',
      inputs: [f(4, 6), f(6), f(6)],
      build: (x, w, b) => ops.layerNorm(x, w, b, 1e-5),
    },
  ],
  rope: [
    {
      name: '[1,2,5,4]',
      inputs: [f(1, 2, 5, 4), f(5, 4), f(5, 4)],
      build: (x, c, s) => ops.rope(x, c, s),
    },
    {
      name: '[2,3,4,6] by [2,1,4,6] (per row and position, shared by heads)',
      inputs: [f(2, 3, 4, 6), f(2, 1, 4, 6), f(2, 1, 4, 6)],
      build: (x, c, s) => ops.rope(x, c, s),
    },
  ],
  flash_attention: [
    {
      name: 'mha',
      inputs: [f(1, 2, 4, 3), f(1, 2, 4, 3), f(1, 2, 4, 3)],
      build: (q, k, v) => ops.causalAttention(q, k, v),
    },
    {
      name: 'gqa with prefix',
      inputs: [f(2, 4, 3, 2), f(2, 2, 5, 2), f(2, 2, 5, 2)],
      build: (q, k, v) => ops.causalAttention(q, k, v),
    },
    {
      name: 'additive mask',
      inputs: [f(1, 2, 3, 2), f(1, 2, 3, 2), f(1, 2, 3, 2), f(1, 1, 3, 3)],
      build: (q, k, v, m) => ops.causalAttention(q, k, v, { mask: m }),
    },
    {
      // a query row whose every key is hidden gives 0 and no gradient, never NaN
      name: 'mask hiding whole rows',
      inputs: [
        f(1, 2, 4, 2),
        f(1, 2, 4, 2),
        f(1, 2, 4, 2),
        {
          shape: [1, 1, 4, 4],
          dtype: 'i32',
          fill: [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0],
        },
      ],
      build: (q, k, v, visible) =>
        ops.causalAttention(q, k, v, {
          mask: ops.where(visible.equal(0), q.builder.scalar(Number.NEGATIVE_INFINITY), 0),
        }),
    },
    {
      name: 'packed segments, gqa',
      inputs: [
        f(2, 4, 5, 2),
        f(2, 2, 5, 2),
        f(2, 2, 5, 2),
        { shape: [2, 5], dtype: 'i32', fill: [0, 0, 1, 1, 2, 0, 0, 0, 1, 1] },
      ],
      build: (q, k, v, segments) => ops.causalAttention(q, k, v, { mask: segmentMask(segments) }),
    },
    {
      // two packed examples (tokens 0-1 and 2-4) that must not see each other
      name: 'packed segments, boolean mask',
      inputs: [
        f(1, 2, 5, 4),
        f(1, 1, 5, 4),
        f(1, 1, 5, 4),
        { shape: [1, 1, 5, 5], dtype: 'bool', fill: SEGMENTS },
      ],
      build: (q, k, v, m) => ops.causalAttention(q, k, v, { mask: m }),
    },
    {
      // query 1 sees no key at all (its output and gradients are 0); not causal, 40 keys (3 blocks)
      name: 'a hidden row, many keys',
      inputs: [
        f(1, 1, 3, 2),
        f(1, 1, 40, 2),
        f(1, 1, 40, 2),
        { shape: [1, 1, 3, 1], dtype: 'bool', fill: [1, 0, 1] },
      ],
      build: (q, k, v, m) => ops.causalAttention(q, k, v, { mask: m, causal: false }),
    },
  ],
  flash_attention_backward: [
    {
      name: 'gqa, dy and dlse',
      inputs: [f(1, 4, 3, 2), f(1, 2, 3, 2), f(1, 2, 3, 2), f(1, 4, 3, 3)],
      build: (q, k, v, dout) => {
        const attrs = { scale: 0.6, causal: true };
        const out = q.builder.apply('flash_attention', [q, k, v], attrs);
        return q.builder.apply('flash_attention_backward', [q, k, v, out, dout], attrs);
      },
    },
  ],
  cross_entropy: [
    {
      name: 'ignore + smoothing',
      inputs: [f(5, 6), { shape: [5], dtype: 'i32', fill: [1, -100, 5, 0, 2] }],
      build: (x, y) => ops.crossEntropy(x, y, { label_smoothing: 0.1 }),
    },
    {
      name: 'sum',
      inputs: [f(4, 3), { shape: [4], dtype: 'i32', fill: [2, 0, 1, 1] }],
      build: (x, y) => ops.crossEntropy(x, y, { reduction: 'sum' }),
    },
  ],
  cross_entropy_backward: [
    {
      name: 'mean, ignore + smoothing',
      inputs: [f(5, 6), { shape: [5], dtype: 'i32', fill: [1, -100, 5, 0, 2] }, f()],
      build: (x, y, dy) =>
        x.builder.apply('cross_entropy_backward', [x, y, dy], {
          ignore_index: -100,
          label_smoothing: 0.1,
          reduction: 'mean',
        }),
    },
    {
      name: 'none, per-row dy',
      inputs: [f(4, 3), { shape: [4], dtype: 'i32', fill: [2, 0, -1, 1] }, f(4)],
      build: (x, y, dy) =>
        x.builder.apply('cross_entropy_backward', [x, y, dy], {
          ignore_index: -1,
          label_smoothing: 0,
          reduction: 'none',
        }),
    },
  ],
  dropout: [
    { name: 'p 0.3', inputs: [f(4, 9), seed(11)], build: (x, s) => ops.dropout(x, s, 0.3) },
  ],
  // the gradient flows only through the second factor: d/dx = stop(x)
  sigmoid: unaryCases((x) => x.sigmoid()),
  silu: unaryCases((x) => x.silu()),
  stop_gradient: unaryCases((x) => ops.stopGradient(x).mul(x)),
  // the identity on x (u8 too); `after` gets no gradient
  optimization_barrier: [
    {
      name: 'f32',
      inputs: [f(2, 3), f(4)],
      build: (x, a) => ops.optimizationBarrier(x, a).mul(a.sum()),
    },
    {
      name: 'u8 into dequantize',
      inputs: [bytes(4), f(2, 2)],
      build: (q, a) => ops.optimizationBarrier(q, a).cast('f32').mul(a.sum()),
    },
  ],
  // gradients reach absmax and code (never the packed bytes) and, through the matmul, x
  dequantize_4bit: [
    {
      name: 'odd length, tail block',
      inputs: [bytes(8), pos(4), f(16)],
      build: (q, absmax, code) =>
        ops.dequantize4bit(q, absmax, code, { blocksize: 4, shape: [3, 5] }),
    },
    {
      name: 'x @ W with a double-quantized absmax',
      inputs: [f(2, 3), bytes(12), bytes(3), pos(2), f(256), f(16), f()],
      build: (x, q, absmaxQ, nested, nestedCode, code, offset) => {
        const absmax = ops.dequantizeBlockwise8bit(absmaxQ, nested, nestedCode, 2).add(offset);
        return x.matmul(ops.dequantize4bit(q, absmax, code, { blocksize: 8, shape: [3, 8] }));
      },
    },
  ],
};
