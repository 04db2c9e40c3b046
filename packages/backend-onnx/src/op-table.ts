import {
  type FusedOpName,
  HostTensor,
  type Node,
  type OpName,
  type PrimitiveOpName,
} from '@tunekit/core';
import { lowerFlashAttention, lowerFlashAttentionBackward } from './attention-blocks.js';
import { lowerCrossEntropy, lowerCrossEntropyBackward } from './cross-entropy-rows.js';
import { ONNX_DTYPE, UINT32 } from './onnx-dtype.js';
import type { OnnxGraph } from './onnx-graph.js';
import { lowerRope } from './rotary.js';

/** Lowers one IR node whose inputs are the ONNX values `x`; returns the value of its output. */
type Lowering<K extends OpName> = (
  g: OnnxGraph,
  x: readonly string[],
  node: Node<K>,
  inputs: readonly Node[],
) => string;

/** Every primitive must be lowered (a missing one is a compile error); fused ops may be. */
export type Lowerings = { readonly [K in PrimitiveOpName]: Lowering<K> } & {
  readonly [K in FusedOpName]?: Lowering<K>;
};

const unary =
  (opType: string) =>
  (g: OnnxGraph, [a]: readonly string[]) =>
    g.node(opType, [a]);
const binary =
  (opType: string) =>
  (g: OnnxGraph, [a, b]: readonly string[]) =>
    g.node(opType, [a, b]);

/** PCG hash on uint32 values (core's counter-rng.ts, op for op). */
function pcg(g: OnnxGraph, v: string): string {
  const u32 = (n: number) => g.constant('u32', [], [n]);
  const state = g.node('Add', [g.node('Mul', [v, u32(747796405)]), u32(2891336453)]);
  const shift = g.node('Add', [
    g.node('BitShift', [state, u32(28)], { direction: 'RIGHT' }),
    u32(4),
  ]);
  const mixed = g.node('BitwiseXor', [
    g.node('BitShift', [state, shift], { direction: 'RIGHT' }),
    state,
  ]);
  const word = g.node('Mul', [mixed, u32(277803737)]);
  return g.node('BitwiseXor', [g.node('BitShift', [word, u32(22)], { direction: 'RIGHT' }), word]);
}

/**
 * Standard ONNX (opset 18) for every primitive, and the fused ops that have an exact ONNX
 * counterpart; other fused ops reach this table already decomposed into primitives.
 */
export const LOWERINGS: Lowerings = {
  // a graph input is the ONNX graph input of the same name
  input: (_g, _x, node) => node.attrs.name,
  constant(g, _x, node) {
    const { value, shape, dtype } = node.attrs;
    const values =
      typeof value === 'number'
        ? new Array<number>(shape.reduce((a, d) => a * d, 1)).fill(value)
        : value;
    if (typeof value === 'number' && shape.length > 0) {
      // a fill: one scalar expanded, not a large literal
      return g.node('Expand', [g.constant(dtype, [], storage(dtype, [value])), g.int64s(shape)]);
    }
    return g.constant(dtype, shape, storage(dtype, values));
  },
  arange(g, _x, node) {
    const { n, dtype } = node.attrs;
    const range = g.node('Range', [
      g.constant('i64', [], [0]),
      g.constant('i64', [], [n]),
      g.constant('i64', [], [1]),
    ]);
    return g.node('Cast', [range], { to: ONNX_DTYPE[dtype] });
  },
  random_uniform(g, [seed], node) {
    const n = node.shape.reduce((a, d) => a * d, 1);
    const index = g.node(
      'Cast',
      [
        g.node('Range', [
          g.constant('i64', [], [0]),
          g.constant('i64', [], [n]),
          g.constant('i64', [], [1]),
        ]),
      ],
      { to: UINT32 },
    );
    const key = pcg(g, g.node('Cast', [seed], { to: UINT32 }));
    const bits = g.node(
      'BitShift',
      [pcg(g, g.node('Add', [index, key])), g.constant('u32', [], [8])],
      { direction: 'RIGHT' },
    );
    const u = g.node('Mul', [
      g.node('Cast', [bits], { to: ONNX_DTYPE.f32 }),
      g.constant('f32', [], [2 ** -24]),
    ]);
    return g.node('Reshape', [u, g.int64s(node.shape)]);
  },
  neg: unary('Neg'),
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  reciprocal: unary('Reciprocal'),
  sin: unary('Sin'),
  cos: unary('Cos'),
  tanh: unary('Tanh'),
  erf: unary('Erf'),
  abs: unary('Abs'),
  sign: unary('Sign'),
  cast: (g, [a], node) => g.node('Cast', [a], { to: ONNX_DTYPE[node.attrs.dtype] }),
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  pow: binary('Pow'),
  maximum: binary('Max'),
  minimum: binary('Min'),
  equal: binary('Equal'),
  less: binary('Less'),
  greater: binary('Greater'),
  where: (g, [c, a, b]) => g.node('Where', [c, a, b]),
  sum: (g, [a], node) => reduce(g, 'ReduceSum', a, node.attrs.axes, node.attrs.keepdims),
  max: (g, [a], node) => reduce(g, 'ReduceMax', a, node.attrs.axes, node.attrs.keepdims),
  argmax(g, [a], node) {
    const idx = g.node('ArgMax', [a], {
      axis: node.attrs.axis,
      keepdims: node.attrs.keepdims ? 1 : 0,
    });
    return g.node('Cast', [idx], { to: ONNX_DTYPE.i32 });
  },
  reshape: (g, [a], node) => g.node('Reshape', [a, g.int64s(node.shape)]),
  transpose: (g, [a], node) => g.node('Transpose', [a], { perm: node.attrs.perm }),
  slice(g, [a], node) {
    const { starts, ends } = node.attrs;
    return g.node('Slice', [
      a,
      g.int64s(starts),
      g.int64s(ends),
      g.int64s(starts.map((_, i) => i)),
    ]);
  },
  pad(g, [a], node) {
    const { before, after } = node.attrs;
    return g.node('Pad', [a, g.int64s([...before, ...after])], { mode: 'constant' });
  },
  concat: (g, xs, node) => g.node('Concat', xs, { axis: node.attrs.axis }),
  broadcast_to: (g, [a], node) => g.node('Expand', [a, g.int64s(node.attrs.shape)]),
  matmul: binary('MatMul'),
  gather: (g, [data, indices], node) =>
    g.node('Gather', [data, indices], { axis: node.attrs.axis }),
  scatter_add(g, [indices, updates], node, [idx, upd]) {
    // ScatterND with reduction 'add' scatters along axis 0: move `axis` to the front and back
    const { axis, size } = node.attrs;
    const k = idx.shape.length;
    const lead = upd.shape.slice(0, axis);
    const rest = upd.shape.slice(axis + k);
    const toFront = [...Array(k).keys()].map((i) => axis + i);
    toFront.push(...lead.keys(), ...rest.map((_, i) => axis + k + i));
    const moved = g.node('Transpose', [updates], { perm: toFront });
    const zeros = g.node('Expand', [
      g.constant(node.dtype, [], storage(node.dtype, [0])),
      g.int64s([size, ...lead, ...rest]),
    ]);
    const where = g.node('Unsqueeze', [
      g.node('Cast', [indices], { to: ONNX_DTYPE.i64 }),
      g.int64s([-1]),
    ]);
    const scattered = g.node('ScatterND', [zeros, where, moved], { reduction: 'add' });
    const back = [...lead.keys()].map((i) => i + 1);
    return g.node('Transpose', [scattered], {
      perm: [...back, 0, ...rest.map((_, i) => axis + 1 + i)],
    });
  },
  sigmoid: unary('Sigmoid'),
  softmax: (g, [a], node) => g.node('Softmax', [a], { axis: node.attrs.axis }),
  log_softmax: (g, [a], node) => g.node('LogSoftmax', [a], { axis: node.attrs.axis }),
  layer_norm: (g, [x, w, b], node) =>
    g.node('LayerNormalization', [x, w, b], { axis: -1, epsilon: { float: node.attrs.eps } }),
  rope: lowerRope,
  flash_attention: lowerFlashAttention,
  flash_attention_backward: lowerFlashAttentionBackward,
  optimization_barrier: lowerOptimizationBarrier,
  cross_entropy: lowerCrossEntropy,
  cross_entropy_backward: lowerCrossEntropyBackward,
};

/**
 * x, sliced whole along its first axis from a start computed from one element of `after` (times
 * zero): onnxruntime runs it only once `after` exists and cannot merge it with another use of x,
 * and the slice is one memcpy of any dtype. Core's decomposition, Where(c, x, x), takes about
 * 350 ns a byte in onnxruntime on the uint8 codes of a 4-bit weight. (A Reshape would share x's
 * buffer, but onnxruntime's fusion of consecutive Reshapes fails on a computed shape.)
 */
function lowerOptimizationBarrier(
  g: OnnxGraph,
  [x, after]: readonly string[],
  node: Node<'optimization_barrier'>,
): string {
  const first = g.node('Slice', [
    g.node('Reshape', [after, g.int64s([-1])]),
    g.int64s([0]),
    g.int64s([1]),
  ]);
  if (node.shape.length === 0) {
    return g.node('Where', [g.node('Equal', [first, first]), x, x]);
  }
  const zero = g.node('Mul', [
    g.node('Cast', [first], { to: ONNX_DTYPE.i64 }),
    g.constant('i64', [1], [0]),
  ]);
  const sliced = g.node('Slice', [x, zero, g.int64s([node.shape[0]]), g.int64s([0])]);
  // the computed start leaves the slice's first dimension unknown to onnxruntime's shape inference,
  // and with it every shape downstream, which stops it from computing those nodes in place
  return g.node('Reshape', [sliced, g.int64s(node.shape)], { allowzero: 1 });
}

/** Lowered as Loops over blocks, which the ONNX export (one graph for every size) decomposes instead. */
export const BLOCKWISE_OPS: ReadonlySet<OpName> = new Set([
  'flash_attention',
  'flash_attention_backward',
]);

function reduce(
  g: OnnxGraph,
  opType: string,
  a: string,
  axes: readonly number[],
  keepdims: boolean,
): string {
  if (axes.length === 0) return g.node('Identity', [a]);
  return g.node(opType, [a, g.int64s(axes)], { keepdims: keepdims ? 1 : 0 });
}

/** Values in the dtype's storage: f16/bf16 as raw bits. */
function storage(dtype: Node['dtype'], values: readonly number[]): ArrayLike<number> {
  return dtype === 'f16' || dtype === 'bf16'
    ? (HostTensor.from(dtype, [values.length], values).data as Uint16Array)
    : values;
}
