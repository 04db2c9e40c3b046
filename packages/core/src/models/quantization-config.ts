import { z } from 'zod';
import type { CausalLM } from './causal-lm.js';

/**
 * Quantize-on-load settings as transformers' `BitsAndBytesConfig` spells them (the keys axolotl
 * takes at the top of its YAML). Defaults are axolotl's for QLoRA (nf4 with double quantization),
 * not BitsAndBytesConfig's (fp4 without).
 */
export const bitsAndBytesFields = {
  load_in_4bit: z
    .boolean()
    .default(false)
    .describe(
      'quantize the decoder layers’ Linear weights to 4 bits as the model loads (QLoRA; needs @tunekit/peft-qlora)',
    ),
  bnb_4bit_quant_type: z
    .enum(['nf4', 'fp4'])
    .default('nf4')
    .describe('the 4-bit code: nf4 (NormalFloat, QLoRA’s) or fp4'),
  bnb_4bit_use_double_quant: z
    .boolean()
    .default(true)
    .describe('double quantization: the block absmax values stored as 8-bit codes'),
  bnb_4bit_compute_dtype: z
    .enum(['float32', 'float16', 'bfloat16'])
    .default('float32')
    .describe(
      'dtype the dequantized weights compute in; backends that compute in f32 (onnx, reference) report f32',
    ),
  bnb_4bit_quant_storage: z
    .enum(['uint8', 'float16', 'bfloat16', 'float32'])
    .default('uint8')
    .describe(
      'dtype bitsandbytes views the packed bytes as when saving; tunekit holds them as uint8 in memory either way',
    ),
  llm_int8_skip_modules: z
    .array(z.string().min(1))
    .nullable()
    .default(null)
    .describe(
      'modules kept in full precision besides the output head: a module’s name, its path, or a module it sits in (transformers’ matching)',
    ),
};

/** The bitsandbytes settings once validated. */
export type BitsAndBytesConfig = {
  readonly [K in keyof typeof bitsAndBytesFields]: z.output<(typeof bitsAndBytesFields)[K]>;
};

/**
 * transformers' quantizer for one `quant_method` ('bitsandbytes'): swaps modules of a freshly built
 * model, whose weights are not loaded yet, for quantized storage, so each weight is quantized as it
 * is read. Registered under `TOKENS.ModelQuantizer` by a quantization plugin.
 */
export interface ModelQuantizer {
  /** transformers' `quant_method`. */
  readonly id: string;
  /** Replaces the modules to quantize in `model`; the output head (`outputHead`) stays. */
  quantize(
    model: CausalLM,
    config: BitsAndBytesConfig,
    opts: { readonly outputHead: string },
  ): void;
}
