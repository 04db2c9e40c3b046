import { UserError } from '@tunekit/core';
import {
  type Blockwise8bit,
  dequantizeBlockwise8bit,
  quantizeBlockwise8bit,
} from './blockwise-8bit.js';
import {
  bucketize,
  CODE_4BIT,
  QUANT_TYPES,
  type QuantType,
  SORTED_CODE_4BIT,
} from './code-4bit.js';
import { DYNAMIC_MAP_SIGNED } from './dynamic-map.js';
import { f32 } from './f32.js';
import { torchMeanF32 } from './torch-mean.js';

/** Options of bitsandbytes' `quantize_4bit`, spelled as bitsandbytes spells them. */
export interface Quantize4bitOptions {
  /** 'nf4' (QLoRA's NormalFloat) or 'fp4'; bitsandbytes' own default is fp4, transformers' is nf4. */
  readonly quant_type: QuantType;
  /** Values per absmax block: a power of two from 32 to 4096; 64 by default. */
  readonly blocksize?: number;
  /** Double quantization: store the block absmax values as 8-bit codes around their mean. */
  readonly compress_statistics?: boolean;
}

/** Double quantization's constants: the absmax values minus `offset`, quantized in blocks of 256. */
export interface NestedAbsmax extends Blockwise8bit {
  /** The f32 mean of the absmax values, added back after dequantizing them (`nested_offset`). */
  readonly offset: number;
}

/** A 4-bit quantized tensor in bitsandbytes' layout, flattened: value 2i in the high nibble of byte i. */
export interface Quantized4bit {
  readonly quant_type: QuantType;
  readonly blocksize: number;
  /** Number of values (the weight's numel); the last byte's low nibble is padding when it is odd. */
  readonly numel: number;
  readonly packed: Uint8Array;
  /** Nibble → value (bitsandbytes' `quant_map`). */
  readonly quant_map: Float32Array;
  /** f32 absmax per block, or, with double quantization, its 8-bit codes and their constants. */
  readonly absmax: Float32Array | NestedAbsmax;
}

export const BLOCKSIZES_4BIT: readonly number[] = [32, 64, 128, 256, 512, 1024, 2048, 4096];

/** The double-quantization block size, fixed by bitsandbytes' quantize_4bit. */
const NESTED_BLOCKSIZE = 256;

/**
 * bitsandbytes' `quantize_4bit` bit for bit, as it runs on CPU (BNB_SOURCE, functional.py quantize_4bit and
 * backends/default/ops.py's `quantize_4bit` kernel): per block, absmax = max |x|; full blocks are scaled by
 * x * (1 / absmax) and the tail block by x / absmax (absmax clamped to 1e-38 in the divisor, and in the
 * stored absmax of the tail block only), clamped
 * to [-1, 1], and given the code whose midpoint interval holds them (on a midpoint: the lower code).
 * With compress_statistics, offset = torch's f32 mean of absmax and absmax - offset is quantized with
 * the signed dynamic map in blocks of 256.
 */
export function quantize4bit(values: Float32Array, options: Quantize4bitOptions): Quantized4bit {
  const { quant_type, blocksize = 64, compress_statistics = false } = options;
  if (!QUANT_TYPES.includes(quant_type)) {
    throw new UserError(
      `quantize4bit: quant_type must be one of ${QUANT_TYPES.join(', ')}, got '${quant_type}'`,
    );
  }
  if (!BLOCKSIZES_4BIT.includes(blocksize)) {
    throw new UserError(
      `quantize4bit: blocksize must be one of ${BLOCKSIZES_4BIT.join(', ')}, got ${blocksize}`,
    );
  }
  if (values.length === 0) throw new UserError('quantize4bit: nothing to quantize (0 values)');
  const { order, bounds } = SORTED_CODE_4BIT[quant_type];
  const n = values.length;
  const full = n - (n % blocksize);
  const absmax = new Float32Array(Math.ceil(n / blocksize));
  const packed = new Uint8Array(Math.ceil(n / 2)); // an odd count is padded with a 0, quantized like any 0
  const nibble = (x: number): number => order[bucketize(Math.min(1, Math.max(-1, x)), bounds)];
  const padNibble = nibble(0);
  for (let b = 0; b < absmax.length; b++) {
    const start = b * blocksize;
    const end = Math.min(start + blocksize, n);
    const max = maxAbs(values, start, end);
    const divisor = Math.max(max, MIN_ABSMAX);
    absmax[b] = start < full ? max : divisor; // bitsandbytes keeps the tail block's clamped absmax
    const inv = f32(1 / divisor);
    for (let i = start; i < end; i++) {
      const q = nibble(start < full ? f32(values[i] * inv) : f32(values[i] / divisor));
      packed[i >> 1] |= i & 1 ? q : q << 4;
    }
  }
  if (n % 2) packed[packed.length - 1] |= padNibble;
  const quant_map = CODE_4BIT[quant_type];
  if (!compress_statistics) return { quant_type, blocksize, numel: n, packed, quant_map, absmax };
  const offset = torchMeanF32(absmax);
  const centred = absmax.map((a) => f32(a - offset));
  const nested = quantizeBlockwise8bit(centred, {
    blocksize: NESTED_BLOCKSIZE,
    code: DYNAMIC_MAP_SIGNED,
  });
  return { quant_type, blocksize, numel: n, packed, quant_map, absmax: { ...nested, offset } };
}

/** f32(1e-38), the clamp bitsandbytes puts on a divisor so that an all-zero block scales to zeros. */
const MIN_ABSMAX = f32(1e-38);

function maxAbs(values: Float32Array, start: number, end: number): number {
  let max = 0;
  for (let i = start; i < end; i++) max = Math.max(max, Math.abs(values[i]));
  if (!Number.isFinite(max)) {
    throw new UserError(`quantize4bit: values ${start}..${end - 1} hold a NaN or infinite value`);
  }
  return max;
}

/** The f32 absmax of every block; with double quantization code[q] * nested_absmax + offset, as
 * bitsandbytes' dequantize_4bit computes it. */
export function blockAbsmax4bit(q: Quantized4bit): Float32Array {
  if (q.absmax instanceof Float32Array) return q.absmax;
  const { offset } = q.absmax;
  return dequantizeBlockwise8bit(q.absmax).map((a) => f32(a + offset));
}

/** bitsandbytes' `dequantize_4bit` to f32: quant_map[nibble] * absmax[block], one f32 multiply. */
export function dequantize4bit(q: Quantized4bit): Float32Array {
  const absmax = blockAbsmax4bit(q);
  const out = new Float32Array(q.numel);
  for (let i = 0; i < out.length; i++) {
    const byte = q.packed[i >> 1];
    out[i] = q.quant_map[i & 1 ? byte & 0x0f : byte >> 4] * absmax[Math.floor(i / q.blocksize)];
  }
  return out;
}
