import { ShapeError } from '../../errors/index.js';
import type { DType } from '../dtype.js';
import type { TypeInfo } from '../op-def.js';
import { formatShape, type Shape, sizeOf, stridesOf } from '../shape.js';
import type { Tensor } from '../tensor.js';

export function describe(t: TypeInfo): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

/** All inputs must share one dtype; `op` names the op in the error. */
export function commonDtype(op: string, inputs: readonly TypeInfo[]): DType {
  const dtype = inputs[0].dtype;
  if (inputs.some((t) => t.dtype !== dtype)) {
    throw new ShapeError(
      `${op}: dtypes differ (${inputs.map(describe).join(', ')}); cast one with .cast()`,
    );
  }
  return dtype;
}

export function requireFloat(op: string, t: TypeInfo): void {
  if (t.dtype !== 'f32' && t.dtype !== 'f16' && t.dtype !== 'bf16') {
    throw new ShapeError(`${op}: needs a floating-point input, got ${describe(t)}`);
  }
}

export function requireIndex(op: string, t: TypeInfo): void {
  if (t.dtype !== 'i32' && t.dtype !== 'i64') {
    throw new ShapeError(`${op}: indices must be i32 or i64, got ${describe(t)}`);
  }
}

/**
 * Sums a gradient that was broadcast from `shape` back to `shape` (the one generic helper every
 * broadcasting VJP uses, as in tinygrad).
 */
export function sumToShape(dy: Tensor, shape: Shape): Tensor {
  if (dy.shape.length === shape.length && dy.shape.every((d, i) => d === shape[i])) return dy;
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && dy.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? dy.sum(axes, true) : dy;
  return summed.reshape(shape);
}

/**
 * For each flat index of `outShape`, the flat index into an input of `inShape` broadcast to it.
 * Used by reference kernels; small and obvious rather than fast.
 */
export function broadcastIndex(outShape: Shape, inShape: Shape): Int32Array {
  const n = sizeOf(outShape);
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const axis = rank - inShape.length + i;
    strides[axis] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const index = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let flat = 0; flat < n; flat++) {
    index[flat] = offset;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      offset += strides[axis];
      if (counter[axis] < outShape[axis]) break;
      offset -= strides[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return index;
}
