import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type MergeAdapterOptions, type MergeDType, mergeAdapterIntoFolder } from '@tunekit/core';
import { dequantizeModelFolder } from './dequantize-folder.js';
import type { TorchFloatDType } from './quant-state.js';
import { measureQuantizationError, type QuantizationError } from './quantization-error.js';
import { openQuantizedFolder } from './quantized-folder.js';

export type MergeQuantizedOptions = MergeAdapterOptions & {
  /** The full-precision folder the 4-bit base was quantized from: the difference is measured. */
  readonly original?: string;
};

export interface MergeQuantizedResult {
  readonly files: string[];
  /** The dtype the merged weights were written in. */
  readonly dtype: MergeDType;
  /** The 4-bit base against `original`, when given. */
  readonly difference?: QuantizationError;
}

const DTYPE_OF: Record<TorchFloatDType, MergeDType> = {
  float32: 'f32',
  float16: 'f16',
  bfloat16: 'bf16',
};

/** Where the dequantized base is written inside the output folder while merging; removed after. */
const DEQUANTIZED_BASE = '.dequantized-base';

/**
 * `tunekit merge` over a 4-bit bitsandbytes base (QLoRA's): the base is dequantized to f32 as
 * bitsandbytes' `dequantize_4bit` computes it, the adapter merged in f32 (core's
 * mergeAdapterIntoFolder) and the model written in `dtype`: by default the dtype the 4-bit weights
 * had before quantization (their quant_state's, f32 when they differ). Never quantized again: the
 * output is a full-precision folder without `quantization_config`. The dequantized base is written
 * to a folder inside `out` (disk, not memory) and removed once merged.
 */
export async function mergeAdapterIntoQuantizedBase(
  opts: MergeQuantizedOptions,
): Promise<MergeQuantizedResult> {
  const folder = await openQuantizedFolder(opts.model);
  let difference: QuantizationError | undefined;
  let dtypes: Set<TorchFloatDType>;
  try {
    dtypes = new Set([...folder.quantized.values()].map((s) => s.dtype));
    if (opts.original) difference = await measureQuantizationError(folder, opts.original);
  } finally {
    await folder.close();
  }
  const dtype = opts.dtype ?? (dtypes.size === 1 ? DTYPE_OF[[...dtypes][0]] : 'f32');
  const base = join(opts.out, DEQUANTIZED_BASE);
  try {
    await dequantizeModelFolder({ model: opts.model, out: base });
    const files = await mergeAdapterIntoFolder({ ...opts, model: base, dtype });
    return { files, dtype, difference };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
