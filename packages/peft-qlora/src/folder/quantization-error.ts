import { ModelWeights, sameShape, UserError, widenToF32 } from '@tunekit/core';
import { dequantize4bit } from '../quant/index.js';
import type { QuantizedFolder } from './quantized-folder.js';

/** How far a 4-bit model's dequantized weights are from the weights it was quantized from. */
export interface QuantizationError {
  /** The 4-bit weights compared. */
  readonly tensors: number;
  /** The largest |dequantized - original| over all of them. */
  readonly max_abs: number;
  /** The weight that holds it. */
  readonly max_abs_tensor: string;
  /** ||dequantized - original|| / ||original|| over all of them together (Frobenius norms). */
  readonly rel: number;
}

/**
 * Compares every 4-bit weight of `folder`, dequantized as bitsandbytes does, with the same tensor
 * of full-precision folder `original`, one weight at a time. A weight missing from `original` or of
 * another shape is a UserError naming both.
 */
export async function measureQuantizationError(
  folder: QuantizedFolder,
  original: string,
): Promise<QuantizationError> {
  const weights = await ModelWeights.open(original);
  try {
    let max_abs = 0;
    let max_abs_tensor = '';
    let diff2 = 0;
    let norm2 = 0;
    for (const name of folder.quantized.keys()) {
      if (!weights.has(name)) {
        throw new UserError(
          `--original ${original} has no tensor "${name}", a 4-bit weight of ${folder.dir}`,
        );
      }
      const w = await folder.read(name);
      const orig = widenToF32(await weights.read(name));
      if (!sameShape(orig.shape, w.shape)) {
        throw new UserError(
          `--original ${original}: "${name}" is [${orig.shape}], but ${folder.dir} quantized a [${w.shape}] weight`,
        );
      }
      const deq = dequantize4bit(w.quantized);
      const x = orig.data as Float32Array;
      for (let i = 0; i < x.length; i++) {
        const d = Math.abs(deq[i] - x[i]);
        if (d > max_abs) [max_abs, max_abs_tensor] = [d, name];
        diff2 += d * d;
        norm2 += x[i] * x[i];
      }
    }
    const rel =
      norm2 === 0 ? (diff2 === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.sqrt(diff2 / norm2);
    return { tensors: folder.quantized.size, max_abs, max_abs_tensor, rel };
  } finally {
    await weights.close();
  }
}

/** One line for a user: "4-bit base vs original (N weights): max abs difference ..., relative ...". */
export function describeQuantizationError(e: QuantizationError): string {
  return (
    `4-bit base vs original (${e.tensors} weights): max abs difference ${e.max_abs.toPrecision(4)} ` +
    `(${e.max_abs_tensor}), relative ${e.rel.toPrecision(4)} (||dequantized - original|| / ||original||)`
  );
}
