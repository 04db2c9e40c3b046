import { describe, expect, it } from 'vitest';
import { HostTensor } from '../tensor/index.js';
import { buildCausalLM, loadCheckpoint } from './build-causal-lm.js';
import { randomModel } from './test-utils.js';

const tinyLlama = {
  model_type: 'llama',
  vocab_size: 10,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
};

const tinyGpt2 = {
  model_type: 'gpt2',
  vocab_size: 10,
  n_positions: 6,
  n_embd: 4,
  n_layer: 1,
  n_head: 2,
};

describe('buildCausalLM', () => {
  it('fills transformers defaults, keeps unknown keys, and initialises norms to one', () => {
    const { config, model } = buildCausalLM({ ...tinyLlama, torch_dtype: 'bfloat16' });
    expect(config).toMatchObject({
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    });
    const sd = model.stateDict();
    expect(sd.get('model.norm.weight')?.toArray()).toEqual(new Array(8).fill(1));
    expect(
      sd
        .get('lm_head.weight')
        ?.toArray()
        .every((v) => v === 0),
    ).toBe(true);
  });

  it('a bad config is an error naming the file and every bad field', () => {
    const bad = { ...tinyLlama, num_attention_heads: '2', rms_norm_eps: -1 };
    expect(() => buildCausalLM(bad, { file: 'm/config.json' })).toThrow(
      /m\/config.json: not a valid llama config:\n {2}num_attention_heads: .*expected number.*\n {2}rms_norm_eps: /,
    );
    expect(() => buildCausalLM({ ...tinyLlama, num_key_value_heads: 3 })).toThrow(
      /num_key_value_heads: num_attention_heads \(2\) must be a multiple of num_key_value_heads \(3\)/,
    );
    expect(() => buildCausalLM({ ...tinyLlama, head_dim: 5 })).toThrow(
      /head_dim: head_dim must be even/,
    );
    expect(() =>
      buildCausalLM({ ...tinyLlama, rope_scaling: { rope_type: 'yarn', factor: 2 } }),
    ).toThrow(/rope_scaling.rope_type: rope_type must be one of default, linear, dynamic, llama3/);
    expect(() => buildCausalLM({ ...tinyLlama, hidden_act: 'mish' })).toThrow(/hidden_act: /);
  });
});

// before: a config.json without hidden_size became 4096 and failed as a weight-shape mismatch
describe('config.json fields the weights depend on', () => {
  it.each([
    ['llama', tinyLlama, 'hidden_size'],
    ['mistral', { ...tinyLlama, model_type: 'mistral' }, 'intermediate_size'],
    ['qwen2', { ...tinyLlama, model_type: 'qwen2' }, 'num_attention_heads'],
    ['gpt2', tinyGpt2, 'n_embd'],
  ])('%s: a missing %s is named, not defaulted', (family, config, field) => {
    const { [field as keyof typeof config]: _, ...rest } = config;
    expect(() => buildCausalLM(rest, { file: 'm/config.json' })).toThrow(
      `m/config.json: not a valid ${family} config:\n  ${field}: missing: `,
    );
  });

  // before: head_dim was floored (hidden 8 / 3 heads = 2), failing later against the weights
  it('heads that do not divide the width are an error unless head_dim is given', () => {
    expect(() =>
      buildCausalLM({ ...tinyLlama, num_attention_heads: 3, num_key_value_heads: 3 }),
    ).toThrow(
      'num_attention_heads: num_attention_heads (3) does not divide hidden_size (8), and there is no head_dim',
    );
    const { model } = buildCausalLM({
      ...tinyLlama,
      num_attention_heads: 3,
      num_key_value_heads: 3,
      head_dim: 4,
    });
    expect(model.shape.headDim).toBe(4);
    expect(() => buildCausalLM({ ...tinyGpt2, n_head: 3 })).toThrow(
      'n_head: n_head (3) does not divide n_embd (4)',
    );
  });

  it('a config that does not fit the weights names the field and the tensor', () => {
    const weights = randomModel({ ...tinyLlama, hidden_size: 16 }).stateDict();
    const { model, family } = buildCausalLM(tinyLlama);
    expect(() => loadCheckpoint(model, family, weights, 'm', 'm/config.json')).toThrow(
      'm/config.json: hidden_size (8) does not match the weights: model.embed_tokens.weight in m has shape [10, 16], where the config gives [10, 8]',
    );
    const gqa = randomModel({ ...tinyLlama, num_key_value_heads: 2 }).stateDict();
    const fresh = buildCausalLM(tinyLlama);
    expect(() => loadCheckpoint(fresh.model, fresh.family, gqa, 'm', 'm/config.json')).toThrow(
      'm/config.json: num_key_value_heads × head_dim (4) does not match the weights: model.layers.0.self_attn.k_proj.weight in m has shape [8, 8]',
    );
    const wide = randomModel({ ...tinyGpt2, n_inner: 8 }).stateDict();
    const gpt2 = buildCausalLM(tinyGpt2);
    expect(() => loadCheckpoint(gpt2.model, gpt2.family, wide, 'g', 'g/config.json')).toThrow(
      'g/config.json: n_inner (or 4 × n_embd) (16) does not match the weights: transformer.h.0.mlp.c_fc.weight in g has shape [4, 8]',
    );
  });
});

describe('loadCheckpoint', () => {
  it('loads every tensor, and reports missing and unexpected ones without changing anything', () => {
    const source = randomModel(tinyLlama);
    const { model, family } = buildCausalLM(tinyLlama);
    loadCheckpoint(model, family, source.stateDict(), 'ckpt');
    expect(model.stateDict()).toEqual(source.stateDict());

    const fresh = buildCausalLM(tinyLlama);
    const before = fresh.model.stateDict();
    const partial = source.stateDict();
    partial.delete('model.norm.weight');
    partial.set('model.layers.0.self_attn.extra.weight', HostTensor.zeros('f32', [1]));
    expect(() => loadCheckpoint(fresh.model, fresh.family, partial, 'some/folder')).toThrow(
      /some\/folder: weights do not fit the model:\n {2}missing \(1\): model.norm.weight\n {2}unexpected \(1\): model.layers.0.self_attn.extra.weight/,
    );
    expect(fresh.model.stateDict()).toEqual(before);
  });

  it("a tied model needs no lm_head.weight and ignores a checkpoint's copy of it", () => {
    const tied = { ...tinyLlama, tie_word_embeddings: true };
    const source = randomModel(tied);
    const { model, family } = buildCausalLM(tied);
    const withHead = source.stateDict();
    withHead.set('lm_head.weight', HostTensor.zeros('f32', [10, 8]));
    loadCheckpoint(model, family, withHead, 'ckpt');
    expect(model.stateDict()).toEqual(source.stateDict());
  });

  it("skips GPT-2's attn.bias buffers and adds the base model prefix to a bare GPT2Model checkpoint", () => {
    const source = randomModel(tinyGpt2);
    const bare = new Map<string, HostTensor>();
    for (const [name, t] of source.stateDict()) bare.set(name.replace(/^transformer\./, ''), t);
    bare.set('h.0.attn.bias', HostTensor.zeros('f32', [1, 1, 6, 6]));
    bare.set('h.0.attn.masked_bias', HostTensor.scalar('f32', -1e4));
    const { model, family } = buildCausalLM(tinyGpt2);
    loadCheckpoint(model, family, bare, 'gpt2');
    expect(model.stateDict()).toEqual(source.stateDict());
  });
});
