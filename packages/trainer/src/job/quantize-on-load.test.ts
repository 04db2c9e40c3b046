import { describe, expect, it } from 'vitest';
import { describeQuantization, quantizationOf, quantizeOnLoad } from './quantize-on-load.js';
import { jobContainer } from './test-utils.js';
import { trainConfigSchema } from './train-config.js';

const schema = trainConfigSchema(jobContainer());
const parse = (extra: Record<string, unknown>) =>
  schema.parse({ model: 'm', train: 'a.jsonl', peft: { method: 'lora' }, ...extra });

describe('quantize on load', () => {
  it("records transformers' quantization_config for a 4-bit base, nothing for a full-precision one", () => {
    expect(quantizationOf(parse({}))).toBeUndefined();
    expect(quantizationOf(parse({ adapter: 'qlora', bnb_4bit_quant_type: 'fp4' }))).toEqual({
      quant_method: 'bitsandbytes',
      load_in_4bit: true,
      bnb_4bit_quant_type: 'fp4',
      bnb_4bit_use_double_quant: true,
      bnb_4bit_compute_dtype: 'float32',
      bnb_4bit_quant_storage: 'uint8',
      llm_int8_skip_modules: null,
    });
  });

  it('says that compute runs in float32 whatever bnb_4bit_compute_dtype asks', () => {
    const q = quantizationOf(parse({ load_in_4bit: true, bnb_4bit_compute_dtype: 'bfloat16' }));
    expect(describeQuantization(q as NonNullable<typeof q>, 'onnx')).toBe(
      'base quantized on load: nf4 with double quantization, compute dtype float32 ' +
        '(bnb_4bit_compute_dtype bfloat16 is accepted; backend onnx computes in float32)',
    );
  });

  it('names the package to install when no quantizer is registered', () => {
    const q = quantizationOf(parse({ load_in_4bit: true }));
    expect(quantizeOnLoad(jobContainer(), undefined)).toBeUndefined();
    expect(() => quantizeOnLoad(jobContainer(), q)).toThrow(
      /load_in_4bit needs the bitsandbytes quantizer of @tunekit\/peft-qlora.*npm install @tunekit\/peft-qlora/,
    );
  });
});
