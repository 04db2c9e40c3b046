import type { DType } from './dtype.js';
import type { Shape } from './shape.js';

/** What a graph input holds; backends may place each role differently (frozen weights as initializers). */
export type InputRole = 'data' | 'param' | 'frozen' | 'state';

export type Reduction = 'mean' | 'sum' | 'none';

/**
 * The primitives and each one's attributes, in named groups: every backend lowers all of them
 * (its table is checked with `satisfies Record<PrimitiveOpName, ...>`).
 */
export interface PrimitiveOpAttrs {
  // leaves
  input: { name: string; role: InputRole; shape: Shape; dtype: DType };
  constant: { shape: Shape; dtype: DType; value: number | readonly number[] };
  arange: { n: number; dtype: DType };
  random_uniform: { shape: Shape }; // input: seed (i32 scalar); counter-based, identical on every backend
  // elementwise unary
  neg: Empty;
  exp: Empty;
  log: Empty;
  sqrt: Empty;
  reciprocal: Empty;
  sin: Empty;
  cos: Empty;
  tanh: Empty;
  erf: Empty;
  abs: Empty;
  sign: Empty;
  cast: { dtype: DType };
  // elementwise binary, with broadcasting
  add: Empty;
  sub: Empty;
  mul: Empty;
  div: Empty;
  pow: Empty;
  maximum: Empty;
  minimum: Empty;
  equal: Empty;
  less: Empty;
  greater: Empty;
  where: Empty; // (cond, a, b)
  // reductions
  sum: { axes: readonly number[]; keepdims: boolean };
  max: { axes: readonly number[]; keepdims: boolean };
  argmax: { axis: number; keepdims: boolean };
  // movement
  reshape: { shape: Shape };
  transpose: { perm: readonly number[] };
  slice: { starts: readonly number[]; ends: readonly number[] }; // one entry per axis, step 1
  pad: { before: readonly number[]; after: readonly number[] }; // zero padding, one entry per axis
  concat: { axis: number };
  broadcast_to: { shape: Shape };
  // contraction and indexing
  matmul: Empty; // batched [..., m, k] x [..., k, n], batch dims broadcast
  gather: { axis: number }; // ONNX Gather: data.shape[:axis] + indices.shape + data.shape[axis+1:]
  scatter_add: { axis: number; size: number }; // (indices, updates): the transpose of gather
}

/**
 * The fused ops and their attributes: each also gives its decomposition into primitives (or
 * simpler fused ops), so a backend lowers a fused op with a kernel of its own or not at all.
 */
export interface FusedOpAttrs {
  softmax: { axis: number };
  sigmoid: Empty;
  silu: Empty; // x * sigmoid(x)
  log_softmax: { axis: number };
  rms_norm: { eps: number }; // (x, weight) over the last axis
  layer_norm: { eps: number }; // (x, weight, bias) over the last axis
  rope: Empty; // (x, cos, sin): x*cos + rotate_half(x)*sin, HF convention
  flash_attention: AttentionAttrs; // (q, k, v, mask?) -> [B, Hq, Tq, D + 1]: y and log-sum-exp
  flash_attention_backward: AttentionAttrs; // (q, k, v, out, dout, mask?) -> dq, dk, dv packed on axis 2
  cross_entropy: CrossEntropyAttrs; // (logits [N, C], labels [N])
  cross_entropy_backward: CrossEntropyAttrs; // (logits [N, C], labels [N], dy) -> d logits [N, C]
  dropout: { p: number }; // (x, seed)
  stop_gradient: Empty; // identity forward, no gradient (a value the backward pass treats as constant)
  optimization_barrier: Empty; // (x, after) -> x once `after` exists, never merged with x (recomputation)
  dequantize_4bit: { blocksize: number; shape: Shape }; // (packed u8, absmax, code[16]) -> f32 of `shape`
}

/** PyTorch's F.cross_entropy arguments. */
export interface CrossEntropyAttrs {
  ignore_index: number;
  label_smoothing: number;
  reduction: Reduction;
}

/** Attention's softmax scale and whether query i sees only keys j <= i + (Tk - Tq). */
export interface AttentionAttrs {
  scale: number;
  causal: boolean;
}

// biome-ignore lint/complexity/noBannedTypes: an op without attributes
type Empty = {};

/** The closed op set: every op has exactly one definition in `ops/` (see `OPS`). */
export interface OpAttrs extends PrimitiveOpAttrs, FusedOpAttrs {}

export type PrimitiveOpName = keyof PrimitiveOpAttrs;
export type FusedOpName = keyof FusedOpAttrs;
export type OpName = PrimitiveOpName | FusedOpName;
