import type { DType } from './dtype.js';
import type { FusedOpName, OpAttrs, OpName } from './op-name.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

export interface TypeInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * Element storage inside the reference interpreter: floats in Float32Array (or Float64Array in
 * f64 mode), i32 in Int32Array, i64 in Float64Array (exact below 2^53), u8/bool in Uint8Array.
 */
export type RefArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface RefTensor {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly data: RefArray;
}

export interface RefContext {
  /** A zeroed array of the interpreter's storage type for `dtype`. */
  alloc(dtype: DType, size: number): RefArray;
}

export interface VjpArgs<K extends OpName> {
  readonly inputs: readonly Tensor[];
  readonly out: Tensor;
  readonly dy: Tensor;
  readonly attrs: OpAttrs[K];
}

/** Cotangents per input; null where the input gets no gradient (indices, conditions, seeds). */
export type Cotangents = readonly (Tensor | null)[];

/**
 * The one definition of an op: type inference (which throws a ShapeError naming the op and the
 * shapes), a reference kernel, and a vector-Jacobian product written with traced tensors, so the
 * backward pass is itself a graph. A fused op also gives its decomposition into primitives, or into
 * primitives and simpler fused ops (attention uses softmax, which the decompose pass lowers in
 * turn); when it has no `vjp`, autodiff differentiates that decomposition.
 */
export interface OpDef<K extends OpName> {
  /** How many inputs: exact, or [min, max]. */
  readonly arity: number | readonly [number, number];
  infer(inputs: readonly TypeInfo[], attrs: OpAttrs[K]): TypeInfo;
  reference(
    inputs: readonly RefTensor[],
    attrs: OpAttrs[K],
    out: TypeInfo,
    ctx: RefContext,
  ): RefArray;
  /** Absent and no `decompose`: not differentiable (its inputs are treated as constants). */
  vjp?(args: VjpArgs<K>): Cotangents;
  decompose?(inputs: readonly Tensor[], attrs: OpAttrs[K]): Tensor;
}

export type OpTable = { readonly [K in OpName]: OpDef<K> };

/** A fused op's definition: its decomposition is required, so a backend need not lower the op. */
export type FusedOpDef<K extends FusedOpName> = OpDef<K> & Required<Pick<OpDef<K>, 'decompose'>>;
