import {
  type BitsAndBytesConfig,
  bitsAndBytesFields,
  type CausalLM,
  resolveAllOf,
  TOKENS,
  UserError,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';

/**
 * How a 4-bit base was quantized as it loaded, as transformers writes `quantization_config` in
 * config.json: kept in the training record, so that eval, chat and generate quantize the base the
 * adapter was trained on the same way.
 */
export type QuantizationConfig = { readonly quant_method: 'bitsandbytes' } & BitsAndBytesConfig;

/** The quantization a config asks for (`load_in_4bit`), or undefined for a full-precision base. */
export function quantizationOf(config: BitsAndBytesConfig): QuantizationConfig | undefined {
  if (!config.load_in_4bit) return undefined;
  const fields = Object.keys(bitsAndBytesFields) as (keyof BitsAndBytesConfig)[];
  return {
    quant_method: 'bitsandbytes',
    ...(Object.fromEntries(fields.map((key) => [key, config[key]])) as BitsAndBytesConfig),
  };
}

/**
 * `LoadCausalLMOptions.quantize` for `quantization`: the registered quantizer of its quant_method
 * (@tunekit/peft-qlora's), or undefined when there is nothing to quantize.
 */
export function quantizeOnLoad(
  container: DependencyContainer,
  quantization: QuantizationConfig | undefined,
): ((model: CausalLM) => void) | undefined {
  if (!quantization) return undefined;
  const { quant_method } = quantization;
  const quantizer = resolveAllOf(container, TOKENS.ModelQuantizer).find(
    (q) => q.id === quant_method,
  );
  if (!quantizer) {
    throw new UserError(
      `load_in_4bit needs the ${quant_method} quantizer of @tunekit/peft-qlora, which is not installed; ` +
        'install it beside tunekit (npm install @tunekit/peft-qlora) or list it under plugins:',
    );
  }
  return (model) => quantizer.quantize(model, quantization, { outputHead: 'lm_head' });
}

/**
 * The line that says how the base is quantized; compute runs in float32 on the backends there are
 * (onnx, reference), whatever bnb_4bit_compute_dtype asks.
 */
export function describeQuantization(q: QuantizationConfig, backend: string): string {
  const asked =
    q.bnb_4bit_compute_dtype === 'float32'
      ? ''
      : ` (bnb_4bit_compute_dtype ${q.bnb_4bit_compute_dtype} is accepted; backend ${backend} computes in float32)`;
  return (
    `base quantized on load: ${q.bnb_4bit_quant_type}` +
    `${q.bnb_4bit_use_double_quant ? ' with double quantization' : ''}, ` +
    `compute dtype float32${asked}`
  );
}
