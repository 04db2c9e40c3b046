import { type DType, HostTensor, type Shape } from '@tunekit/core';
import { wgslType } from './kernels/wgsl.js';

/** Bytes of a tensor on the device: one 32-bit word per element, at least one word. */
export function deviceBytes(shape: Shape): number {
  return (
    4 *
    Math.max(
      1,
      shape.reduce((a, d) => a * d, 1),
    )
  );
}

/** A host tensor as device words (see wgslType): f16/bf16 decoded to f32, i64 to i32, u8/bool widened. */
export function toWords(host: HostTensor): Float32Array | Int32Array | Uint32Array {
  const type = wgslType(host.dtype);
  // an f32 tensor may hold its values in a Float64Array (the step runner's scalars do)
  if (host.data instanceof Float32Array || host.data instanceof Int32Array) return host.data;
  const values = host.toFloat64();
  if (type === 'f32') return Float32Array.from(values);
  if (type === 'i32') return Int32Array.from(values);
  return Uint32Array.from(values);
}

/** Device words back into a host tensor of `dtype`. */
export function fromWords(dtype: DType, shape: Shape, words: ArrayBuffer): HostTensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const type = wgslType(dtype);
  const view =
    type === 'f32'
      ? new Float32Array(words, 0, n)
      : type === 'i32'
        ? new Int32Array(words, 0, n)
        : new Uint32Array(words, 0, n);
  if (dtype === 'f32') return new HostTensor(dtype, shape, (view as Float32Array).slice());
  if (dtype === 'i32') return new HostTensor(dtype, shape, (view as Int32Array).slice());
  return HostTensor.from(dtype, shape, Array.from(view));
}
