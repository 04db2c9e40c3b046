import { readFileSync } from 'node:fs';

/** test/golden/quantization.json, written by scripts/golden-quantization.py; arrays are base64 of
 * little-endian bytes. */
interface GoldenFile {
  source: string;
  dynamic_map_signed: string;
  dynamic_map_unsigned: string;
  inputs: Record<string, string>;
  four_bit: {
    input: string;
    quant_type: 'nf4' | 'fp4';
    blocksize: number;
    compress_statistics: boolean;
    packed: string;
    absmax: string;
    nested_absmax?: string;
    offset?: string;
    dequantized: string;
  }[];
  eight_bit: {
    input: string;
    signed: boolean;
    blocksize: number;
    quantized: string;
    absmax: string;
    dequantized: string;
  }[];
  means: { n: number; mean: string }[];
}

export const golden: GoldenFile = JSON.parse(
  readFileSync(new URL('./golden/quantization.json', import.meta.url), 'utf8'),
);

export const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

/** Raw bytes reinterpreted as f32 (little-endian, as the script writes them). */
export const floats = (b64: string): Float32Array => {
  const b = bytes(b64);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** The bytes of an f32 array, for byte-for-byte comparison (so -0 differs from +0, and NaN bits count). */
export const bitsOf = (x: Float32Array): Uint8Array =>
  new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

/** Index of the first differing byte, or -1; a failure names where the bytes part. */
export function firstDifference(got: Uint8Array, want: Uint8Array): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}
