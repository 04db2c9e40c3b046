import { f32 } from './f32.js';

/** bitsandbytes' 4-bit data types (`bnb_4bit_quant_type`). */
export type QuantType = 'nf4' | 'fp4';

export const QUANT_TYPES: readonly QuantType[] = ['nf4', 'fp4'];

/**
 * The 4-bit code tables exactly as bitsandbytes' `functional.get_4bit_type` builds them (BNB_SOURCE,
 * bitsandbytes/functional.py): the listed values as f32, divided by their largest magnitude in f32.
 * NF4: quantiles of N(0, 1) (QLoRA, Dettmers et al. 2023), already in [-1, 1]. FP4: 1 sign, 2 exponent and
 * 1 mantissa bit in bit-pattern order; its `-0` is Python's integer 0, so code 8 is +0, like code 0.
 * These are also the `quant_map` that bitsandbytes saves beside each 4-bit weight.
 */
const RAW: Record<QuantType, readonly number[]> = {
  nf4: [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
  ],
  fp4: [0, 0.0625, 8, 12, 4, 6, 2, 3, 0, -0.0625, -8, -12, -4, -6, -2, -3],
};

function normalised(values: readonly number[]): Float32Array {
  const code = Float32Array.from(values);
  const max = code.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return code.map((v) => f32(v / max));
}

/** Nibble → value. */
export const CODE_4BIT: Readonly<Record<QuantType, Float32Array>> = Object.freeze({
  nf4: normalised(RAW.nf4),
  fp4: normalised(RAW.fp4),
});

/** A code sorted for search: `order[i]` is the nibble of the i-th smallest value, `bounds` the f32
 * midpoints between neighbours, as backends/default/ops.py `_get_4bit_quantize_bounds` computes them.
 * torch.argsort puts FP4's two zeros in index order (the golden script asserts it). */
export interface SortedCode {
  readonly order: Uint8Array;
  readonly bounds: Float32Array;
}

function sortCode(code: Float32Array): SortedCode {
  const order = Uint8Array.from(code.keys()).sort((a, b) => code[a] - code[b] || a - b);
  const bounds = new Float32Array(order.length - 1);
  for (let i = 0; i < bounds.length; i++) bounds[i] = f32(code[order[i]] + code[order[i + 1]]) / 2;
  return { order, bounds };
}

export const SORTED_CODE_4BIT: Readonly<Record<QuantType, SortedCode>> = Object.freeze({
  nf4: sortCode(CODE_4BIT.nf4),
  fp4: sortCode(CODE_4BIT.fp4),
});

/** torch.bucketize(x, bounds, right=False): the number of bounds strictly below x, so a value on a
 * midpoint goes to the lower code. */
export function bucketize(x: number, bounds: Float32Array): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
