import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCausalLM, type CausalLM, PeftModel, readSafetensorsHeader } from '@tunekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loraMethod } from '../src/index.js';
import { LORA_OPTIONS, logitsOf, tinyLlama } from './helpers.js';

const ROWS = [[5, 3, 0, 7, 1]];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-lora-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function trainedLooking(config: object): Promise<PeftModel<CausalLM>> {
  // init false: random A and B, so the adapter changes the logits as a trained one does
  return PeftModel.create(
    await tinyLlama(),
    loraMethod,
    { init_lora_weights: false, ...config },
    LORA_OPTIONS,
  );
}

describe('the PEFT adapter format', () => {
  it('round-trips: save, load into a fresh model, identical logits', async () => {
    for (const config of [
      { target_modules: ['q_proj', 'down_proj'] },
      { target_modules: 'all-linear', use_dora: true, r: 2 },
      { target_modules: ['k_proj'], use_rslora: true, rank_pattern: { k_proj: 3 } },
    ]) {
      const peft = await trainedLooking(config);
      await peft.save(dir);
      const loaded = await PeftModel.fromPretrained(await tinyLlama(), dir, LORA_OPTIONS);
      expect((await logitsOf(loaded.model, ROWS)).data).toEqual(
        (await logitsOf(peft.model, ROWS)).data,
      );
    }
  });

  it("saves all-linear as PEFT does, the linear layers' short names, and loads it back", async () => {
    const peft = await trainedLooking({ target_modules: 'all-linear' });
    await peft.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    // PEFT's _maybe_include_all_linear_layers: {name.rsplit(".", 1)[-1]} minus the output head
    expect(config.target_modules).toEqual([
      'down_proj',
      'gate_proj',
      'k_proj',
      'o_proj',
      'q_proj',
      'up_proj',
      'v_proj',
    ]);
    const loaded = await PeftModel.fromPretrained(await tinyLlama(), dir, LORA_OPTIONS);
    expect([...loaded.stateDict().keys()].sort()).toEqual([...peft.stateDict().keys()].sort());
    expect(loaded.stateDict().size).toBe(2 * 7 * 2); // lora_A and lora_B of 7 modules in 2 layers
    expect((await logitsOf(loaded.model, ROWS)).data).toEqual(
      (await logitsOf(peft.model, ROWS)).data,
    );
  });

  // PEFT's documented format, https://huggingface.co/docs/peft/developer_guides/checkpoint
  // ("PEFT checkpoint format"): keys start with "base_model.model." (PeftModel wraps LoraModel wraps
  // the model); then the module path, then lora_A / lora_B with the ".weight" of their nn.Linear; the
  // adapter name ("default") is stripped on save; DoRA adds lora_magnitude_vector per layer (saved
  // without ".weight", peft/utils/save_and_load.py); lora_A is [r, in_features], lora_B
  // [out_features, r]. adapter_config.json holds LoraConfig's fields with "peft_type": "LORA".
  it("writes exactly PEFT's keys, shapes and config fields", async () => {
    const peft = await trainedLooking({
      target_modules: ['q_proj', 'v_proj'],
      r: 4,
      lora_alpha: 16,
      use_dora: true,
    });
    await peft.save(dir, { baseModelNameOrPath: 'HuggingFaceTB/SmolLM2-135M' });
    const header = await readSafetensorsHeader(join(dir, 'adapter_model.safetensors'));
    const layout = Object.fromEntries(
      [...header.tensors.values()].map((t) => [t.name, [t.dtype, ...t.shape]]),
    );
    const want: Record<string, (string | number)[]> = {};
    for (const layer of [0, 1]) {
      const p = `base_model.model.model.layers.${layer}.self_attn`;
      Object.assign(want, {
        [`${p}.q_proj.lora_A.weight`]: ['F32', 4, 16],
        [`${p}.q_proj.lora_B.weight`]: ['F32', 16, 4],
        [`${p}.q_proj.lora_magnitude_vector`]: ['F32', 16],
        [`${p}.v_proj.lora_A.weight`]: ['F32', 4, 16],
        [`${p}.v_proj.lora_B.weight`]: ['F32', 8, 4],
        [`${p}.v_proj.lora_magnitude_vector`]: ['F32', 8],
      });
    }
    expect(layout).toEqual(want);
    expect(header.metadata).toEqual({ format: 'pt' });

    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'HuggingFaceTB/SmolLM2-135M',
      inference_mode: true,
      r: 4,
      lora_alpha: 16,
      lora_dropout: 0,
      target_modules: ['q_proj', 'v_proj'],
      bias: 'none',
      use_dora: true,
      use_rslora: false,
      fan_in_fan_out: false,
      init_lora_weights: false,
      modules_to_save: null,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
      revision: null,
    });
    // exactly the fields of PEFT's documented LoRA adapter_config.json, in sorted order
    expect(Object.keys(config)).toEqual(PEFT_LORA_CONFIG_FIELDS);
  });

  it('saves modules_to_save and the biases of bias "all" or "lora_only" under their own names', async () => {
    const peft = PeftModel.create(
      qwen2(),
      loraMethod,
      { target_modules: ['q_proj'], bias: 'all', modules_to_save: ['lm_head'] },
      LORA_OPTIONS,
    );
    expect([...peft.stateDict().keys()].sort()).toEqual([
      'base_model.model.lm_head.weight',
      'base_model.model.model.layers.0.self_attn.k_proj.bias',
      'base_model.model.model.layers.0.self_attn.q_proj.base_layer.bias',
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight',
      'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight',
      'base_model.model.model.layers.0.self_attn.v_proj.bias',
    ]);
    const loraOnly = PeftModel.create(
      qwen2(),
      loraMethod,
      { target_modules: ['q_proj'], bias: 'lora_only' },
      LORA_OPTIONS,
    );
    expect([...loraOnly.stateDict().keys()].sort()).toEqual([
      'base_model.model.model.layers.0.self_attn.q_proj.base_layer.bias',
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight',
      'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight',
    ]);
  });
});

/** A one-layer Qwen2: q, k and v have biases. */
function qwen2() {
  return buildCausalLM({
    model_type: 'qwen2',
    vocab_size: 16,
    hidden_size: 8,
    intermediate_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    tie_word_embeddings: false,
  }).model;
}

/** The fields of the LoRA adapter_config.json in PEFT's checkpoint-format documentation, sorted. */
const PEFT_LORA_CONFIG_FIELDS = [
  'alpha_pattern',
  'auto_mapping',
  'base_model_name_or_path',
  'bias',
  'fan_in_fan_out',
  'inference_mode',
  'init_lora_weights',
  'layer_replication',
  'layers_pattern',
  'layers_to_transform',
  'loftq_config',
  'lora_alpha',
  'lora_dropout',
  'megatron_config',
  'megatron_core',
  'modules_to_save',
  'peft_type',
  'r',
  'rank_pattern',
  'revision',
  'target_modules',
  'task_type',
  'use_dora',
  'use_rslora',
];
