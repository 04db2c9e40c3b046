import { f16BitsFromFloat, floatFromF16Bits } from '@tunekit/core';
import { halfBytes } from './kernels/half.js';

/** Values as device halves (kernels/half.ts): two per 32-bit word, element 2i in the low half. */
export function packHalves(values: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(halfBytes(values.length) / 4);
  for (let i = 0; i < values.length; i++) {
    words[i >> 1] |= f16BitsFromFloat(values[i]) << (16 * (i & 1));
  }
  return words;
}

/** The first `n` halves of device words, as f32 values. */
export function unpackHalves(words: ArrayBuffer, n: number): Float32Array {
  const bits = new Uint16Array(words, 0, n); // little-endian: the low half of word i is element 2i
  return Float32Array.from(bits, floatFromF16Bits);
}
