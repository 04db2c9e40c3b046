import { HF_CONFIG_FILE, parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import { QUANT_TYPES, type QuantType } from '../quant/index.js';
import { TORCH_FLOAT_DTYPES } from './quant-state.js';

/** bitsandbytes' `quant_storage` dtypes, as transformers' BitsAndBytesConfig accepts them. */
const QUANT_STORAGES = ['uint8', 'int8', 'float16', 'bfloat16', 'float32', 'float64'] as const;

/**
 * config.json's `quantization_config` for a 4-bit bitsandbytes model, read with transformers'
 * BitsAndBytesConfig defaults (fp4, no double quantization, float32 compute, uint8 storage); other
 * keys (llm_int8_threshold, ...) are kept but not used.
 */
const bnbQuantizationConfigSchema = z.looseObject({
  quant_method: z.literal('bitsandbytes'),
  load_in_4bit: z.boolean().optional(),
  _load_in_4bit: z.boolean().optional(),
  load_in_8bit: z.boolean().optional(),
  bnb_4bit_quant_type: z.enum(QUANT_TYPES as ['nf4', 'fp4']).default('fp4'),
  bnb_4bit_use_double_quant: z.boolean().default(false),
  bnb_4bit_compute_dtype: z.enum(TORCH_FLOAT_DTYPES).nullable().default('float32'),
  bnb_4bit_quant_storage: z.enum(QUANT_STORAGES).nullable().default('uint8'),
  llm_int8_skip_modules: z.array(z.string()).nullable().default(null),
});

export type BnbQuantizationConfig = z.output<typeof bnbQuantizationConfigSchema>;

/**
 * The 4-bit bitsandbytes `quantization_config` of a model's config.json, or undefined when it has
 * none; one that is not 4-bit bitsandbytes is a UserError naming `dir`'s config.json.
 */
export function readBnbQuantizationConfig(
  config: Readonly<Record<string, unknown>>,
  dir: string,
): BnbQuantizationConfig | undefined {
  const raw = config.quantization_config;
  if (raw === undefined || raw === null) return undefined;
  const source = `${dir}/${HF_CONFIG_FILE}: quantization_config`;
  const method = (raw as { quant_method?: unknown }).quant_method;
  if (method !== 'bitsandbytes') {
    throw new UserError(
      `${source}: quant_method is ${JSON.stringify(method)}; tunekit reads 4-bit bitsandbytes models only`,
    );
  }
  const parsed = parseOrThrow(bnbQuantizationConfigSchema, raw, source);
  if (!(parsed.load_in_4bit ?? parsed._load_in_4bit) || parsed.load_in_8bit) {
    throw new UserError(
      `${source}: load_in_4bit is not true${parsed.load_in_8bit ? ' (load_in_8bit: LLM.int8() weights)' : ''}; tunekit reads 4-bit bitsandbytes models only`,
    );
  }
  return parsed;
}

export interface BnbQuantizationSettings {
  readonly quant_type: QuantType;
  readonly compress_statistics: boolean;
  readonly llm_int8_skip_modules: readonly string[] | null;
}

/**
 * `quantization_config` as transformers saves a 4-bit BitsAndBytesConfig (`to_dict`, keys sorted as
 * in its config.json). llm_int8_threshold is left out: transformers wants it a float (6.0), which
 * JSON.stringify would write as the int 6, and its default is that value.
 */
export function bnbQuantizationConfig(s: BnbQuantizationSettings): Record<string, unknown> {
  return {
    _load_in_4bit: true,
    _load_in_8bit: false,
    bnb_4bit_compute_dtype: 'float32',
    bnb_4bit_quant_storage: 'uint8',
    bnb_4bit_quant_type: s.quant_type,
    bnb_4bit_use_double_quant: s.compress_statistics,
    llm_int8_enable_fp32_cpu_offload: false,
    llm_int8_has_fp16_weight: false,
    llm_int8_skip_modules: s.llm_int8_skip_modules,
    load_in_4bit: true,
    load_in_8bit: false,
    quant_method: 'bitsandbytes',
  };
}
