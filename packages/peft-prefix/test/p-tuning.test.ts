import { PeftModel, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { pTuningMethod } from '../src/index.js';
import { TINY_LLAMA, tinyModel } from './helpers.js';

const create = (config: Record<string, unknown>) =>
  PeftModel.create(tinyModel(TINY_LLAMA), pTuningMethod, config, { modelConfig: TINY_LLAMA });

describe('P-tuning config', () => {
  it.each([
    [{ num_virtual_tokens: 2 }, /encoder_hidden_size: required to train P_TUNING/],
    [{ num_virtual_tokens: 2, encoder_hidden_size: 0 }, /encoder_hidden_size: expected a positive/],
    [
      { num_virtual_tokens: 2, encoder_hidden_size: 4, encoder_reparameterization_type: 'GRU' },
      /encoder_reparameterization_type: /,
    ],
    [{ num_virtual_tokens: 2, encoder_hidden_size: 4, encoder_dropout: 1 }, /encoder_dropout: /],
    [{ num_virtual_tokens: 2, encoder_hidden_size: 4, prefix_projection: true }, /unknown field/],
  ])('%j fails naming the field', (config, message) => {
    expect(() => create(config)).toThrow(UserError);
    expect(() => create(config)).toThrow(message);
  });

  it("has PEFT's PromptEncoderConfig defaults", () => {
    expect(create({ num_virtual_tokens: 2, encoder_hidden_size: 4 }).config()).toMatchObject({
      encoder_reparameterization_type: 'MLP',
      encoder_hidden_size: 4,
      encoder_num_layers: 2,
      encoder_dropout: 0,
      token_dim: 8,
      num_layers: 2,
      num_attention_heads: 2,
    });
  });
});

describe('the P-tuning prompt encoder', () => {
  it("trains PEFT's MLP head: embedding, Linear(8, 4), Linear(4, 4), Linear(4, 8)", () => {
    const peft = create({ num_virtual_tokens: 3, encoder_hidden_size: 4 });
    const shapes = peft.trainableParameters().map(([path, p]) => [path, p.shape]);
    expect(shapes).toEqual([
      ['prompt_encoder.default.embedding.weight', [3, 8]],
      ['prompt_encoder.default.mlp_head.0.weight', [4, 8]],
      ['prompt_encoder.default.mlp_head.0.bias', [4]],
      ['prompt_encoder.default.mlp_head.2.weight', [4, 4]],
      ['prompt_encoder.default.mlp_head.2.bias', [4]],
      ['prompt_encoder.default.mlp_head.4.weight', [8, 4]],
      ['prompt_encoder.default.mlp_head.4.bias', [8]],
    ]);
  });

  it("trains PEFT's LSTM head under torch.nn.LSTM's names, then an MLP of 2h", () => {
    const peft = create({
      num_virtual_tokens: 3,
      encoder_hidden_size: 4,
      encoder_reparameterization_type: 'LSTM',
      encoder_num_layers: 1,
    });
    const shapes = Object.fromEntries(
      peft
        .trainableParameters()
        .map(([path, p]) => [path.replace('prompt_encoder.default.', ''), p.shape]),
    );
    expect(shapes).toEqual({
      'embedding.weight': [3, 8],
      'lstm_head.weight_ih_l0': [16, 8],
      'lstm_head.weight_hh_l0': [16, 4],
      'lstm_head.bias_ih_l0': [16],
      'lstm_head.bias_hh_l0': [16],
      'lstm_head.weight_ih_l0_reverse': [16, 8],
      'lstm_head.weight_hh_l0_reverse': [16, 4],
      'lstm_head.bias_ih_l0_reverse': [16],
      'lstm_head.bias_hh_l0_reverse': [16],
      'mlp_head.0.weight': [8, 8],
      'mlp_head.0.bias': [8],
      'mlp_head.2.weight': [8, 8],
      'mlp_head.2.bias': [8],
    });
  });

  it('added for inference is the embedding table alone, which needs no encoder_hidden_size', () => {
    const peft = create({ num_virtual_tokens: 3, inference_mode: true });
    expect(
      peft.model.namedParameters().filter(([path]) => path.startsWith('prompt_encoder.')),
    ).toHaveLength(1);
    expect(peft.stateDict().get('prompt_embeddings')?.shape).toEqual([3, 8]);
  });
});
