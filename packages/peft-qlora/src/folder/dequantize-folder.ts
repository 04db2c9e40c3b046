import {
  type DeferredTensor,
  type DType,
  HostTensor,
  isFloat,
  MERGE_DTYPES,
  type MergeDType,
  SAFETENSORS_DTYPES,
  widenToF32,
  writeModelFolder,
} from '@tunekit/core';
import { dequantize4bit } from '../quant/index.js';
import { moreTokenizerFiles } from './folder-files.js';
import { openQuantizedFolder } from './quantized-folder.js';

export interface DequantizeFolderOptions {
  /** A 4-bit bitsandbytes model folder (`openQuantizedFolder`). */
  readonly model: string;
  /** The folder to write; the caller sees to it that nothing a user has is overwritten. */
  readonly out: string;
  /** The dtype of the dequantized weights, f32 by default; given, the other float tensors follow. */
  readonly dtype?: MergeDType;
}

/**
 * transformers' `model.dequantize()` then `save_pretrained`, tensor by tensor: every 4-bit weight
 * dequantized as bitsandbytes' `dequantize_4bit` computes it (in f32, then cast to `dtype`), the
 * other tensors copied (cast to `dtype` when it is given), config.json without its
 * `quantization_config`, and the tokenizer files. Returns the names of the files written.
 */
export async function dequantizeModelFolder(opts: DequantizeFolderOptions): Promise<string[]> {
  const folder = await openQuantizedFolder(opts.model);
  try {
    const dtype = opts.dtype ?? 'f32';
    const weights = new Map<string, DeferredTensor>();
    for (const name of folder.weights.keys()) {
      const state = folder.quantized.get(name);
      if (state) {
        weights.set(name, {
          dtype,
          shape: state.shape,
          load: async () => {
            const w = await folder.read(name);
            return castTo(new HostTensor('f32', w.shape, dequantize4bit(w.quantized)), dtype);
          },
        });
      } else if (folder.plain.includes(name)) {
        const info = folder.weights.info(name);
        const stored = SAFETENSORS_DTYPES[info.dtype].host ?? 'f32';
        const to = opts.dtype && isFloat(stored) ? opts.dtype : stored;
        weights.set(name, {
          dtype: to,
          shape: info.shape,
          load: async () => castTo(await folder.weights.read(name), to),
        });
      }
    }
    const { quantization_config: _, ...config } = folder.config;
    return await writeModelFolder(opts.out, {
      config: opts.dtype ? { ...config, torch_dtype: MERGE_DTYPES[opts.dtype] } : config,
      weights,
      copyFrom: opts.model,
      extraFiles: await moreTokenizerFiles(opts.model),
    });
  } finally {
    await folder.close();
  }
}

function castTo(t: HostTensor, dtype: DType): HostTensor {
  if (t.dtype === dtype) return t;
  return HostTensor.from(dtype, t.shape, widenToF32(t).data as Float32Array);
}
