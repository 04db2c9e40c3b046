import { UserError } from '../errors/index.js';
import type { DType } from '../graph/dtype.js';
import { formatShape, type Shape, sizeOf } from '../graph/shape.js';
import {
  bf16BitsFromFloat,
  f16BitsFromFloat,
  floatFromBf16Bits,
  floatFromF16Bits,
} from './half.js';

/**
 * Storage of each dtype on the host: f16/bf16 as raw bits (as in safetensors and ONNX),
 * i64 as BigInt64Array. f32 may also be held in a Float64Array, for f64 gradient checks.
 */
export interface HostData {
  f32: Float32Array | Float64Array;
  f16: Uint16Array;
  bf16: Uint16Array;
  i32: Int32Array;
  i64: BigInt64Array;
  u8: Uint8Array;
  bool: Uint8Array;
}

export type HostArray = HostData[DType];

/** A tensor in host memory: what is fed to and read back from a backend. */
export class HostTensor<D extends DType = DType> {
  constructor(
    readonly dtype: D,
    readonly shape: Shape,
    readonly data: HostData[D],
  ) {
    if (data.length !== sizeOf(shape)) {
      throw new UserError(
        `HostTensor: ${data.length} elements do not fill shape ${formatShape(shape)} (${sizeOf(shape)})`,
      );
    }
  }

  get size(): number {
    return this.data.length;
  }

  /** A tensor of `dtype` from plain numbers (rounded to the dtype's storage). */
  static from<D extends DType>(dtype: D, shape: Shape, values: ArrayLike<number>): HostTensor<D> {
    return new HostTensor(dtype, shape, encode(dtype, values) as HostData[D]);
  }

  static zeros<D extends DType>(dtype: D, shape: Shape): HostTensor<D> {
    return HostTensor.from(dtype, shape, new Float64Array(sizeOf(shape)));
  }

  static scalar<D extends DType>(dtype: D, value: number): HostTensor<D> {
    return HostTensor.from(dtype, [], [value]);
  }

  /** The values as float64 numbers (exact for every dtype but i64 beyond 2^53). */
  toFloat64(): Float64Array {
    return decode(this.dtype, this.data);
  }

  toArray(): number[] {
    return Array.from(this.toFloat64());
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new UserError(`item(): tensor of shape ${formatShape(this.shape)} is not a scalar`);
    return this.toFloat64()[0];
  }
}

function encode(dtype: DType, values: ArrayLike<number>): HostArray {
  const n = values.length;
  switch (dtype) {
    case 'f32':
      return Float32Array.from(values);
    case 'f16':
      return Uint16Array.from({ length: n }, (_, i) => f16BitsFromFloat(values[i]));
    case 'bf16':
      return Uint16Array.from({ length: n }, (_, i) => bf16BitsFromFloat(values[i]));
    case 'i32':
      return Int32Array.from(values);
    case 'i64':
      return BigInt64Array.from({ length: n }, (_, i) => BigInt(Math.trunc(values[i])));
    case 'u8':
      return Uint8Array.from(values);
    case 'bool':
      return Uint8Array.from({ length: n }, (_, i) => (values[i] ? 1 : 0));
  }
}

function decode(dtype: DType, data: HostArray): Float64Array {
  const n = data.length;
  const out = new Float64Array(n);
  if (dtype === 'f16')
    for (let i = 0; i < n; i++) out[i] = floatFromF16Bits((data as Uint16Array)[i]);
  else if (dtype === 'bf16')
    for (let i = 0; i < n; i++) out[i] = floatFromBf16Bits((data as Uint16Array)[i]);
  else if (dtype === 'i64') for (let i = 0; i < n; i++) out[i] = Number((data as BigInt64Array)[i]);
  else out.set(data as Exclude<HostArray, BigInt64Array>);
  return out;
}
