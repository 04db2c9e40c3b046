import { buildCausalLM } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { decayParameterNames, layerDepth, planParamGroups } from './param-groups.js';

const qwen2 = () =>
  buildCausalLM({
    model_type: 'qwen2',
    vocab_size: 16,
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    tie_word_embeddings: false,
  }).model;

describe('weight decay', () => {
  it("spares biases and norm weights, as transformers' get_decay_parameter_names", () => {
    const model = qwen2();
    const decayed = decayParameterNames(model);
    const all = model.namedParameters().map(([name]) => name);
    const spared = all.filter((name) => !decayed.has(name)).sort();
    expect(spared).toEqual(
      [
        'model.norm.weight',
        ...[0, 1].flatMap((i) => [
          `model.layers.${i}.input_layernorm.weight`,
          `model.layers.${i}.post_attention_layernorm.weight`,
          `model.layers.${i}.self_attn.k_proj.bias`,
          `model.layers.${i}.self_attn.q_proj.bias`,
          `model.layers.${i}.self_attn.v_proj.bias`,
        ]),
      ].sort(),
    );
    expect(decayed.has('model.embed_tokens.weight')).toBe(true);
    expect(decayed.has('lm_head.weight')).toBe(true);
  });

  it('puts spared parameters in a group without decay', () => {
    const model = qwen2();
    const names = model.namedParameters().map(([name]) => name);
    const groups = planParamGroups(model, names, {
      learningRate: 1e-3,
      weightDecay: 0.1,
      layerwiseLrDecay: null,
      numLayers: 2,
    });
    const groupOf = (name: string) => groups.find((g) => g.match?.(name));
    expect(groupOf('model.layers.0.self_attn.q_proj.bias')?.weight_decay).toBe(0);
    expect(groupOf('model.norm.weight')?.weight_decay).toBe(0);
    expect(groupOf('model.layers.0.mlp.up_proj.weight')?.weight_decay).toBe(0.1);
    expect(groups.map((g) => g.lr)).toEqual([1e-3, 1e-3]);
  });
});

describe('layer-wise learning-rate decay', () => {
  it('orders embeddings, layers and heads by depth', () => {
    expect(layerDepth('model.embed_tokens.weight', 4)).toBe(0);
    expect(layerDepth('model.layers.0.self_attn.q_proj.lora_A.default.weight', 4)).toBe(1);
    expect(layerDepth('transformer.h.3.attn.c_attn.weight', 4)).toBe(4);
    expect(layerDepth('lm_head.weight', 4)).toBe(5);
    expect(layerDepth('score.weight', 4)).toBe(5);
  });

  it('gives lower layers smaller rates and the head the full rate', () => {
    const model = qwen2();
    const names = [
      'model.embed_tokens.weight',
      'model.layers.0.mlp.up_proj.weight',
      'model.layers.1.mlp.up_proj.weight',
      'lm_head.weight',
    ];
    const groups = planParamGroups(model, names, {
      learningRate: 1,
      weightDecay: 0,
      layerwiseLrDecay: 0.5,
      numLayers: 2,
    });
    const lrOf = (name: string) => groups.find((g) => g.match?.(name))?.lr;
    // decay^(L + 1 - depth), L = 2
    expect(names.map(lrOf)).toEqual([0.125, 0.25, 0.5, 1]);
  });
});
