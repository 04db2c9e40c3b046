import { join } from 'node:path';
import {
  buildCausalLM,
  type DeferredTensor,
  type FamilySource,
  HF_CONFIG_FILE,
  type HostTensor,
  ModelWeights,
  readHfConfig,
  SAFETENSORS_DTYPES,
  UserError,
  widenToF32,
  writeModelFolder,
} from '@tunekit/core';
import { BLOCKSIZES_4BIT, type QuantType, quantize4bit } from '../quant/index.js';
import { quantizedLinears } from '../quantized-linears.js';
import { bnbQuantizationConfig } from './bnb-quantization-config.js';
import { bnbWeightTensors } from './bnb-weight.js';
import { moreTokenizerFiles } from './folder-files.js';
import type { TorchFloatDType } from './quant-state.js';

export interface QuantizeFolderOptions {
  /** The full-precision model folder (f32, f16 or bf16 safetensors). */
  readonly model: string;
  /** The folder to write; the caller sees to it that nothing a user has is overwritten. */
  readonly out: string;
  /** transformers' `bnb_4bit_quant_type`; nf4 by default (QLoRA's). */
  readonly quant_type?: QuantType;
  /** transformers' `bnb_4bit_use_double_quant` (bitsandbytes' compress_statistics); off by default. */
  readonly compress_statistics?: boolean;
  /** Values per absmax block, 32 to 4096; 64 by default, as transformers always uses. */
  readonly blocksize?: number;
  /** Modules kept in full precision besides the output head (transformers' llm_int8_skip_modules). */
  readonly llm_int8_skip_modules?: readonly string[] | null;
  /** Where model families come from; core's by default. */
  readonly families?: FamilySource;
}

export interface QuantizeFolderResult {
  readonly files: string[];
  /** The weights quantized to 4 bits, by name. */
  readonly quantized: string[];
  /** The tensors kept as they were (embeddings, norms, lm_head, biases). */
  readonly kept: string[];
}

/** The output head, kept in full precision as transformers' get_keys_to_not_convert keeps it. */
const OUTPUT_HEAD = 'lm_head';

const TORCH_NAMES: Record<string, TorchFloatDType> = {
  f32: 'float32',
  f16: 'float16',
  bf16: 'bfloat16',
};

/**
 * `tunekit quantize`: writes model folder `model` as transformers + bitsandbytes save a model
 * loaded with `load_in_4bit`: every torch.nn.Linear of the decoder layers becomes a 4-bit weight
 * with its quantization constants (`bnbWeightTensors`), embeddings, norms and lm_head are copied
 * as they are, config.json gains a `quantization_config`, and the tokenizer files are copied. The
 * weights stream through one at a time: only the 4-bit output is held, never the source model.
 */
export async function quantizeModelFolder(
  opts: QuantizeFolderOptions,
): Promise<QuantizeFolderResult> {
  const { quant_type = 'nf4', compress_statistics = false, blocksize = 64 } = opts;
  if (!BLOCKSIZES_4BIT.includes(blocksize)) {
    throw new UserError(`blocksize must be one of ${BLOCKSIZES_4BIT.join(', ')}, got ${blocksize}`);
  }
  const config = await readHfConfig(opts.model);
  const configFile = join(opts.model, HF_CONFIG_FILE);
  if (config.quantization_config !== undefined) {
    throw new UserError(
      `${configFile} already has a quantization_config: ${opts.model} is quantized; quantize its full-precision original`,
    );
  }
  const linears = linearPaths(config, configFile, opts);
  const weights = await ModelWeights.open(opts.model);
  try {
    const out = new Map<string, HostTensor | DeferredTensor>();
    const quantized: string[] = [];
    const kept: string[] = [];
    for (const name of weights.keys()) {
      const info = weights.info(name);
      const host = SAFETENSORS_DTYPES[info.dtype].host;
      if (!host) {
        throw new UserError(
          `${info.file}: tensor "${name}" has dtype ${info.dtype}, which tunekit cannot read`,
        );
      }
      if (!isLinearWeight(name, linears)) {
        out.set(name, { dtype: host, shape: info.shape, load: () => weights.read(name) });
        kept.push(name);
        continue;
      }
      const t = widenToF32(await weights.read(name));
      if (t.shape.length !== 2) {
        throw new UserError(
          `${info.file}: Linear weight "${name}" is ${info.dtype}[${info.shape}], not 2-D`,
        );
      }
      const q = quantizeNamed(t, name, info.file, { quant_type, blocksize, compress_statistics });
      const dtype = TORCH_NAMES[host] ?? 'float32';
      for (const [key, value] of bnbWeightTensors(name, { quantized: q, shape: t.shape, dtype }))
        out.set(key, value);
      quantized.push(name);
    }
    if (quantized.length === 0) {
      throw new UserError(
        `${opts.model}: no torch.nn.Linear weight to quantize (HF Conv1D, as in GPT-2, is not supported)`,
      );
    }
    const quantization_config = bnbQuantizationConfig({
      quant_type,
      compress_statistics,
      llm_int8_skip_modules: opts.llm_int8_skip_modules ?? null,
    });
    const files = await writeModelFolder(opts.out, {
      config: { ...config, quantization_config },
      weights: out,
      copyFrom: opts.model,
      extraFiles: await moreTokenizerFiles(opts.model),
    });
    return { files, quantized, kept };
  } finally {
    await weights.close();
  }
}

/** The module paths of the Linear layers transformers would quantize (`replace_with_bnb_linear`). */
function linearPaths(
  config: Readonly<Record<string, unknown>>,
  file: string,
  opts: QuantizeFolderOptions,
): { paths: Set<string>; prefix: string } {
  const { model, family } = buildCausalLM(config, { families: opts.families, file });
  const paths = quantizedLinears(model, OUTPUT_HEAD, opts.llm_int8_skip_modules ?? null).map(
    ([path]) => path,
  );
  return { paths: new Set(paths), prefix: family.baseModelPrefix };
}

/** Whether checkpoint tensor `name` (with or without the family's base-model prefix) is a Linear weight. */
function isLinearWeight(name: string, linears: { paths: Set<string>; prefix: string }): boolean {
  if (!name.endsWith('.weight')) return false;
  const path = name.slice(0, -'.weight'.length);
  return linears.paths.has(path) || linears.paths.has(`${linears.prefix}.${path}`);
}

function quantizeNamed(
  t: HostTensor,
  name: string,
  file: string,
  settings: Parameters<typeof quantize4bit>[1],
) {
  try {
    return quantize4bit(t.data as Float32Array, settings);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${file}: tensor "${name}": ${err.message}`);
    throw err;
  }
}
