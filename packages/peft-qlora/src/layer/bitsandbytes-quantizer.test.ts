import { type BitsAndBytesConfig, buildCausalLM, Linear, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { TINY_LLAMA_CONFIG } from '../../test/tiny-llama-folder.js';
import { bitsAndBytesQuantizer } from './bitsandbytes-quantizer.js';
import { Linear4bit } from './linear-4bit.js';

const CONFIG: BitsAndBytesConfig = {
  load_in_4bit: true,
  bnb_4bit_quant_type: 'fp4',
  bnb_4bit_use_double_quant: false,
  bnb_4bit_compute_dtype: 'bfloat16',
  bnb_4bit_quant_storage: 'uint8',
  llm_int8_skip_modules: null,
};

function quantized(config: BitsAndBytesConfig): string[] {
  const { model } = buildCausalLM(TINY_LLAMA_CONFIG);
  bitsAndBytesQuantizer.quantize(model, config, { outputHead: 'lm_head' });
  return model
    .namedModules()
    .filter(([, m]) => m instanceof Linear4bit)
    .map(([path]) => path);
}

describe('the bitsandbytes quantizer (load_in_4bit)', () => {
  it('swaps every Linear but the output head for a Linear4bit with the configured code', () => {
    const { model } = buildCausalLM(TINY_LLAMA_CONFIG);
    bitsAndBytesQuantizer.quantize(model, CONFIG, { outputHead: 'lm_head' });
    expect(model.getModule('lm_head')).toBeInstanceOf(Linear);
    const q = model.getModule('model.layers.1.mlp.down_proj') as Linear4bit;
    expect(q.settings).toEqual({ quant_type: 'fp4', blocksize: 64, compress_statistics: false });
    expect([q.inFeatures, q.outFeatures]).toEqual([96, 64]);
    expect(quantized(CONFIG)).toHaveLength(14);
  });

  it('keeps llm_int8_skip_modules out as transformers matches them: a name, a path, or a module they sit in', () => {
    const skip = (llm_int8_skip_modules: string[]) =>
      quantized({ ...CONFIG, llm_int8_skip_modules });
    expect(skip(['down_proj'])).toHaveLength(12);
    expect(skip(['model.layers.0.mlp.down_proj'])).toHaveLength(13);
    expect(skip(['model.layers.1'])).toHaveLength(7);
    expect(skip(['self_attn'])).toHaveLength(6);
  });

  it('changes nothing without load_in_4bit, and refuses a model with no Linear to quantize', () => {
    expect(quantized({ ...CONFIG, load_in_4bit: false })).toEqual([]);
    expect(() => quantized({ ...CONFIG, llm_int8_skip_modules: ['model'] })).toThrow(UserError);
  });
});
