import type { DType } from '../../graph/dtype.js';
import { isFloat } from '../../graph/dtype.js';
import type { RefArray, RefTensor } from '../../graph/op-def.js';
import { roundToBf16, roundToF16 } from '../../tensor/half.js';
import { type HostArray, HostTensor } from '../../tensor/index.js';

export type Precision = 'f32' | 'f64';

/** The interpreter's storage for one dtype: see RefArray. */
export function allocFor(precision: Precision) {
  return (dtype: DType, size: number): RefArray => {
    if (isFloat(dtype))
      return precision === 'f64' ? new Float64Array(size) : new Float32Array(size);
    if (dtype === 'i32') return new Int32Array(size);
    if (dtype === 'i64') return new Float64Array(size);
    return new Uint8Array(size);
  };
}

/** f16 and bf16 are storage types: every value an op writes is rounded to them. */
export function roundToStorage(dtype: DType, data: RefArray): void {
  const round = dtype === 'f16' ? roundToF16 : dtype === 'bf16' ? roundToBf16 : undefined;
  if (!round) return;
  for (let i = 0; i < data.length; i++) data[i] = round(data[i]);
}

export function fromHost(host: HostTensor, precision: Precision): RefTensor {
  const data = allocFor(precision)(host.dtype, host.size);
  data.set(storedAsNumbers(host.data) ? host.data : host.toFloat64());
  return { shape: host.shape, dtype: host.dtype, data };
}

/** f16/bf16 arrive as raw bits and i64 as bigints, to be decoded; the rest copy as they are. */
function storedAsNumbers(
  data: HostArray,
): data is Float32Array | Float64Array | Int32Array | Uint8Array {
  return !(data instanceof Uint16Array || data instanceof BigInt64Array);
}

export function toHost(t: RefTensor): HostTensor {
  if (t.dtype === 'f32' || t.dtype === 'i32' || t.dtype === 'u8' || t.dtype === 'bool') {
    return new HostTensor<DType>(t.dtype, t.shape, t.data.slice());
  }
  return HostTensor.from(t.dtype, t.shape, t.data);
}
