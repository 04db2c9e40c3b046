import { UserError } from '@tunekit/core';
import { DYNAMIC_MAP_SIGNED } from './dynamic-map.js';
import { f32 } from './f32.js';

/** Values quantized to 8 bits in blocks: one code index per value and the f32 absmax of each block. */
export interface Blockwise8bit {
  readonly quantized: Uint8Array;
  readonly absmax: Float32Array;
  readonly blocksize: number;
  /** The 256-entry code the indices point into (bitsandbytes' `quant_map` / `nested_quant_map`). */
  readonly code: Float32Array;
}

export interface QuantizeBlockwise8bitOptions {
  /** Values per block; bitsandbytes' default is 4096, its 8-bit optimizers and double quantization use 256. */
  readonly blocksize?: number;
  /** A sorted 256-entry code in [-1, 1]; the signed dynamic map by default. */
  readonly code?: Float32Array;
}

/**
 * bitsandbytes' `quantize_blockwise` on CPU (BNB_SOURCE, csrc/cpu_ops.cpp `quantize_cpu_impl`): per
 * block, absmax = max |x|; an all-zero block keeps absmax 0 and codes 0; otherwise each x * (1 / absmax)
 * is rounded through a 65536-entry table rather than by a nearest search, so it matches bitsandbytes'
 * CPU output, not its CUDA kernel's, where a value falls between two codes closer than the table's
 * 2/65535 grid.
 */
export function quantizeBlockwise8bit(
  values: Float32Array,
  options: QuantizeBlockwise8bitOptions = {},
): Blockwise8bit {
  const { blocksize = 4096, code = DYNAMIC_MAP_SIGNED } = options;
  if (!Number.isInteger(blocksize) || blocksize <= 0) {
    throw new UserError(
      `quantizeBlockwise8bit: blocksize must be a positive integer, got ${blocksize}`,
    );
  }
  if (code.length !== 256) {
    throw new UserError(`quantizeBlockwise8bit: code must have 256 entries, got ${code.length}`);
  }
  const lut = quantizeLut(code);
  const n = values.length;
  const blocks = Math.ceil(n / blocksize);
  const absmax = new Float32Array(blocks);
  const quantized = new Uint8Array(n);
  for (let b = 0; b < blocks; b++) {
    const start = b * blocksize;
    const end = Math.min(start + blocksize, n);
    let max = 0;
    for (let i = start; i < end; i++) max = Math.max(max, Math.abs(values[i]));
    if (!Number.isFinite(max)) {
      throw new UserError(
        `quantizeBlockwise8bit: block ${b} (values ${start}..${end - 1}) holds a NaN or infinite value`,
      );
    }
    absmax[b] = max;
    if (max === 0) continue;
    const inv = f32(1 / absmax[b]);
    for (let i = start; i < end; i++) quantized[i] = lut[lutIndex(f32(values[i] * inv))];
  }
  return { quantized, absmax, blocksize, code };
}

/** bitsandbytes' `dequantize_blockwise` on CPU: code[q] * absmax[block], in f32. */
export function dequantizeBlockwise8bit(q: Blockwise8bit): Float32Array {
  const { quantized, absmax, blocksize, code } = q;
  const out = new Float32Array(quantized.length);
  for (let i = 0; i < out.length; i++)
    out[i] = code[quantized[i]] * absmax[Math.floor(i / blocksize)];
  return out;
}

const LUT_SIZE = 65536;
const luts = new WeakMap<Float32Array, Uint8Array>();

/** cpu_ops.cpp `build_quantize_lut`: grid point i is -1 + (2 i) / 65535 in f32; its code is the number
 * of midpoints 0.5 (code[j] + code[j + 1]) strictly below it, so a grid point on a midpoint rounds down. */
function quantizeLut(code: Float32Array): Uint8Array {
  const cached = luts.get(code);
  if (cached) return cached;
  const lut = new Uint8Array(LUT_SIZE);
  let idx = 0;
  for (let i = 0; i < LUT_SIZE; i++) {
    const val = f32(-1 + f32((2 * i) / (LUT_SIZE - 1)));
    while (idx < 255 && f32(0.5 * f32(code[idx] + code[idx + 1])) < val) idx++;
    lut[i] = idx;
  }
  luts.set(code, lut);
  return lut;
}

/** cpu_ops.cpp `norm_to_lut_index`: uint16((clamp(v, -1, 1) + 1) * 0.5 * 65535 + 0.5). The last
 * multiply-add is one fused FMA there (compiled for avx2,fma with GCC's default -ffp-contract=fast), so
 * it is rounded to f32 once: t * 65535 + 0.5 is exact in f64. */
function lutIndex(v: number): number {
  const t = f32(Math.min(1, Math.max(-1, v)) + 1) * 0.5;
  return Math.trunc(f32(t * (LUT_SIZE - 1) + 0.5));
}
