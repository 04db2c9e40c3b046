import { PeftModel, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { promptTuningMethod } from '../src/index.js';
import { TINY_LLAMA, tinyModel } from './helpers.js';

const create = (
  config: Record<string, unknown>,
  modelConfig: Record<string, unknown> = TINY_LLAMA,
) => PeftModel.create(tinyModel(TINY_LLAMA), promptTuningMethod, config, { modelConfig });

describe('prompt tuning config errors', () => {
  it.each([
    [{}, /num_virtual_tokens: required/],
    [{ num_virtual_tokens: 0 }, /num_virtual_tokens: expected a positive integer/],
    [
      { num_virtual_tokens: 2, prompt_tuning_init: 'TEXT', prompt_tuning_init_text: 'hi' },
      /tokenizer_name_or_path: required when prompt_tuning_init is 'TEXT'/,
    ],
    [
      { num_virtual_tokens: 2, prompt_tuning_init: 'TEXT', tokenizer_name_or_path: 'x' },
      /prompt_tuning_init_text: required when prompt_tuning_init is 'TEXT'/,
    ],
    [{ num_virtual_tokens: 2, prompt_tuning_init: 'WORDS' }, /prompt_tuning_init: /],
    [{ num_virtual_tokens: 2, num_transformer_submodules: 2 }, /num_transformer_submodules: /],
    [{ num_virtual_tokens: 2, r: 8 }, /r: unknown field/],
    [
      {
        num_virtual_tokens: 2,
        prompt_tuning_init: 'TEXT',
        prompt_tuning_init_text: 'hi',
        tokenizer_name_or_path: 'x',
      },
      /needs the model's tokenizer/,
    ],
  ])('%j fails naming the field', (config, message) => {
    expect(() => create(config)).toThrow(UserError);
    expect(() => create(config)).toThrow(message);
  });

  it('a size that config.json lacks must be given', () => {
    expect(() => create({ num_virtual_tokens: 2 }, { hidden_size: 8 })).toThrow(
      /num_layers: not given, and the model's config.json has none of num_hidden_layers, num_layers, n_layer/,
    );
    const sizes = { token_dim: 8, num_layers: 2, num_attention_heads: 2 };
    expect(create({ num_virtual_tokens: 2, ...sizes }, {}).config()).toMatchObject(sizes);
  });
});
