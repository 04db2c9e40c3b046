import { parsePeftConfig } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { loraConfigSchema } from './config.js';

const parse = (raw: unknown) => parsePeftConfig(loraConfigSchema, 'LORA', raw, 'lora config');

describe('LoraConfig', () => {
  it("has PEFT's defaults", () => {
    expect(parse({})).toMatchObject({
      r: 8,
      lora_alpha: 8,
      lora_dropout: 0,
      target_modules: null,
      exclude_modules: null,
      bias: 'none',
      use_rslora: false,
      use_dora: false,
      init_lora_weights: true,
      fan_in_fan_out: false,
      modules_to_save: null,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
      task_type: 'CAUSAL_LM',
      inference_mode: false,
    });
  });

  it('describes every field', () => {
    for (const [name, field] of Object.entries(loraConfigSchema.shape))
      expect(field.description, name).toMatch(/\w{3}/);
  });

  it('names each bad field and what it expects', () => {
    expect(() => parse({ r: 0 })).toThrow(
      'lora config: r: expected a positive integer (the LoRA rank)',
    );
    expect(() => parse({ r: -2 })).toThrow(/r: expected a positive integer/);
    expect(() => parse({ r: 2.5 })).toThrow(/r: expected a positive integer/);
    expect(() => parse({ lora_dropout: 1 })).toThrow(
      'lora_dropout: expected a probability in [0, 1)',
    );
    expect(() => parse({ bias: 'some' })).toThrow(/bias: .*"none"\|"all"\|"lora_only"/);
    expect(() => parse({ rank: 8 })).toThrow('lora config: rank: unknown field');
    expect(() => parse({ init_lora_weights: 'pissa' })).toThrow(
      "init_lora_weights: tunekit supports init_lora_weights true, false or 'gaussian'",
    );
    expect(() => parse({ use_qalora: true })).toThrow(
      'use_qalora: tunekit does not support QA-LoRA (use_qalora); expected false',
    );
    expect(() => parse({ layer_replication: [[0, 2]] })).toThrow(
      /layer_replication: tunekit does not support layer replication/,
    );
    expect(() => parse({ target_modules: '.*q_proj', layers_to_transform: [0] })).toThrow(
      'layers_to_transform: cannot be used when target_modules is a regex string',
    );
    expect(() => parse({ peft_type: 'IA3' })).toThrow("peft_type: 'IA3' names another method");
  });

  it('reads the adapter_config.json fields PEFT writes, at their off values', () => {
    const written = {
      alpha_pattern: {},
      auto_mapping: null,
      base_model_name_or_path: 'HuggingFaceTB/SmolLM2-135M',
      bias: 'none',
      corda_config: null,
      eva_config: null,
      exclude_modules: null,
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      layer_replication: null,
      layers_pattern: null,
      layers_to_transform: null,
      loftq_config: {},
      lora_alpha: 16,
      lora_bias: false,
      lora_dropout: 0.05,
      megatron_config: null,
      megatron_core: 'megatron.core',
      modules_to_save: null,
      peft_type: 'LORA',
      peft_version: '0.17.1',
      qalora_group_size: 16,
      r: 16,
      rank_pattern: {},
      revision: null,
      target_modules: ['v_proj', 'q_proj'],
      target_parameters: null,
      task_type: 'CAUSAL_LM',
      trainable_token_indices: null,
      use_dora: false,
      use_qalora: false,
      use_rslora: false,
    };
    expect(parse(written)).toMatchObject({
      r: 16,
      lora_alpha: 16,
      target_modules: ['v_proj', 'q_proj'],
    });
  });
});
