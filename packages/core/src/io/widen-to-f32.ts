import { floatFromF16Bits, HostTensor } from '../tensor/index.js';

let f16Table: Float32Array | undefined;

/**
 * An f16 or bf16 tensor as f32 (exact: every half value is an f32); other dtypes unchanged.
 * Converts straight into the f32 array, without a float64 copy of a large tensor.
 */
export function widenToF32(t: HostTensor): HostTensor {
  if (t.dtype === 'bf16') {
    // bf16 is the top half of an f32's bits.
    const bits = new Uint32Array(t.size);
    const src = t.data as Uint16Array;
    for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
    return new HostTensor('f32', t.shape, new Float32Array(bits.buffer));
  }
  if (t.dtype === 'f16') {
    f16Table ??= Float32Array.from({ length: 65536 }, (_, h) => floatFromF16Bits(h));
    const table = f16Table;
    const src = t.data as Uint16Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
    return new HostTensor('f32', t.shape, out);
  }
  return t;
}
