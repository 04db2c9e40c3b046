import type { HostTensor } from '../tensor/index.js';
import { type FolderInput, folderSource } from './folder-source.js';
import {
  HF_CONFIG_FILE,
  HF_GENERATION_CONFIG_FILE,
  readJsonObject,
  readOptionalJsonObject,
} from './hf-files.js';
import { ModelWeights } from './model-weights.js';
import { checkFinite, type NonFiniteOptions } from './non-finite.js';
import { widenToF32 } from './widen-to-f32.js';

/** `config.json` of a model folder, parsed; the model family validates its fields. */
export function readHfConfig(dir: FolderInput): Promise<Record<string, unknown>> {
  return readJsonObject(HF_CONFIG_FILE, folderSource(dir));
}

/** `generation_config.json` of a model folder, or undefined when the folder has none. */
export function readGenerationConfig(
  dir: FolderInput,
): Promise<Record<string, unknown> | undefined> {
  return readOptionalJsonObject(HF_GENERATION_CONFIG_FILE, folderSource(dir));
}

export interface LoadWeightsOptions extends NonFiniteOptions {
  /**
   * `'f32'` (the default, for training) widens f16 and bf16 tensors to f32;
   * `'stored'` keeps each tensor's dtype as stored. Integer tensors are never changed.
   */
  dtype?: 'f32' | 'stored';
  /**
   * Turns each tensor, once read (and widened), into the tensors kept for it: a quantized model
   * keeps its Linear weights packed, so only one full-precision tensor is held at a time.
   */
  store?: (name: string, tensor: HostTensor) => Iterable<[string, HostTensor]>;
}

/**
 * Every tensor of a model folder's weights (single file or shards), read one at a time so
 * that widening to f32 never holds a model's stored and widened copies at once. A tensor holding
 * NaN or ±Inf is an error unless `allowNonfinite`.
 */
export async function loadWeights(
  dir: FolderInput,
  opts: LoadWeightsOptions = {},
): Promise<Map<string, HostTensor>> {
  const widen = (opts.dtype ?? 'f32') === 'f32';
  const weights = await ModelWeights.open(dir);
  try {
    const out = new Map<string, HostTensor>();
    for (const name of weights.keys()) {
      const t = await weights.read(name);
      checkFinite(t, { file: weights.info(name).file, tensor: name }, opts);
      const kept = widen ? widenToF32(t) : t;
      for (const [key, value] of opts.store?.(name, kept) ?? [[name, kept] as const])
        out.set(key, value);
    }
    return out;
  } finally {
    await weights.close();
  }
}
