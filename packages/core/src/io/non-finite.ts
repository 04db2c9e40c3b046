import { UserError } from '../errors/index.js';
import type { HostTensor } from '../tensor/index.js';

// A float is NaN or ±Inf exactly when its exponent bits are all ones.
const F32_EXPONENT = 0x7f800000;
const F16_EXPONENT = 0x7c00;
const BF16_EXPONENT = 0x7f80;

/**
 * How many values of a float tensor are NaN or ±Inf (0 for integer dtypes): one pass over its
 * bits, with one loop per storage type so that each stays monomorphic (and fast) in V8.
 */
export function countNonFinite(t: HostTensor): number {
  switch (t.dtype) {
    case 'f32': {
      const data = t.data as Float32Array | Float64Array;
      if (data instanceof Float64Array) return data.filter((x) => !Number.isFinite(x)).length;
      return countF32(new Int32Array(data.buffer, data.byteOffset, data.length));
    }
    case 'f16':
      return countHalf(t.data as Uint16Array, F16_EXPONENT);
    case 'bf16':
      return countHalf(t.data as Uint16Array, BF16_EXPONENT);
    default:
      return 0;
  }
}

// Int32Array, not Uint32Array: reading a negative float's bits (>= 2^31 unsigned) as uint32 leaves
// V8's small-integer range and slows the loop.
function countF32(bits: Int32Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) if ((bits[i] & F32_EXPONENT) === F32_EXPONENT) n++;
  return n;
}

function countHalf(bits: Uint16Array, exponent: number): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) if ((bits[i] & exponent) === exponent) n++;
  return n;
}

/** What to do with a loaded tensor that holds NaN or ±Inf. */
export interface NonFiniteOptions {
  /** Load it anyway, reporting it through `warn` (`--allow-nonfinite`); by default it is a UserError. */
  readonly allowNonfinite?: boolean;
  /** Where an allowed non-finite tensor is reported; default `console.warn`. */
  readonly warn?: (message: string) => void;
}

/**
 * Fails with a UserError naming `file`, the tensor and how many of its values are NaN or ±Inf, or
 * with `allowNonfinite` reports them through `warn` and goes on. A NaN weight poisons every output
 * it reaches, so loading one silently yields empty generations and NaN losses far from the cause.
 */
export function checkFinite(
  t: HostTensor,
  where: { readonly file: string; readonly tensor: string },
  opts: NonFiniteOptions = {},
): void {
  const count = countNonFinite(t);
  if (count === 0) return;
  const what = `${where.file}: tensor ${where.tensor} holds ${count} non-finite value${count === 1 ? '' : 's'} (NaN/Inf)`;
  if (!opts.allowNonfinite) {
    throw new UserError(
      `${what}; pass --allow-nonfinite (allow_nonfinite: true in a training config) to load it anyway`,
    );
  }
  (opts.warn ?? console.warn)(`${what}; loading it anyway (--allow-nonfinite)`);
}
