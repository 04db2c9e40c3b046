import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeftModel, readAdapterFolder } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptTuningMethod, pTuningMethod } from '../src/index.js';
import {
  logitsOf,
  maxAbsDiff,
  PROMPT_OPTIONS,
  TINY_GPT2,
  TINY_LLAMA,
  tinyModel,
} from './helpers.js';

describe('a prompt-tuning adapter on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunekit-prompt-tuning-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('has the adapter_config.json PEFT writes, sizes filled from config.json', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      promptTuningMethod,
      { num_virtual_tokens: 5 },
      PROMPT_OPTIONS,
    );
    await peft.save(dir, { baseModelNameOrPath: 'tiny-llama' });
    // PromptTuningConfig.to_dict() of PEFT, less peft_version (PEFT fills that in itself)
    expect(JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'))).toEqual({
      task_type: 'CAUSAL_LM',
      peft_type: 'PROMPT_TUNING',
      auto_mapping: null,
      base_model_name_or_path: 'tiny-llama',
      revision: null,
      inference_mode: true,
      num_virtual_tokens: 5,
      token_dim: 8,
      num_transformer_submodules: 1,
      num_attention_heads: 2,
      num_layers: 2,
      modules_to_save: null,
      prompt_tuning_init: 'RANDOM',
      prompt_tuning_init_text: null,
      tokenizer_name_or_path: null,
      tokenizer_kwargs: null,
    });
  });

  it('holds one f32 tensor prompt_embeddings [num_virtual_tokens, token_dim]', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_GPT2),
      promptTuningMethod,
      { num_virtual_tokens: 4 },
      { modelConfig: TINY_GPT2 },
    );
    await peft.save(dir);
    const { tensors, config } = await readAdapterFolder(dir);
    expect([...tensors.keys()]).toEqual(['prompt_embeddings']);
    const t = tensors.get('prompt_embeddings');
    expect([t?.dtype, t?.shape]).toEqual(['f32', [4, 8]]);
    expect([config.token_dim, config.num_layers, config.num_attention_heads]).toEqual([8, 2, 2]);
  });

  it('loads back for inference: frozen, the same prompt', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      promptTuningMethod,
      { num_virtual_tokens: 3 },
      PROMPT_OPTIONS,
    );
    await peft.save(dir);
    const loaded = await PeftModel.fromPretrained(tinyModel(TINY_LLAMA), dir, PROMPT_OPTIONS);
    expect(loaded.trainableParameters()).toEqual([]);
    expect(loaded.stateDict().get('prompt_embeddings')?.toArray()).toEqual(
      peft.stateDict().get('prompt_embeddings')?.toArray(),
    );
  });

  it('unloads to the base model: no prompt encoder, no virtual tokens', () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      promptTuningMethod,
      { num_virtual_tokens: 3 },
      PROMPT_OPTIONS,
    );
    const base = peft.unload();
    expect(base.namedParameters().map(([path]) => path)).toEqual(
      tinyModel(TINY_LLAMA)
        .namedParameters()
        .map(([path]) => path),
    );
  });
});

describe('a P-tuning adapter on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunekit-p-tuning-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('has the adapter_config.json PEFT writes for a PromptEncoderConfig', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      pTuningMethod,
      { num_virtual_tokens: 5, encoder_hidden_size: 16 },
      { modelConfig: TINY_LLAMA },
    );
    await peft.save(dir, { baseModelNameOrPath: 'tiny-llama' });
    // PromptEncoderConfig.to_dict() of PEFT, less peft_version (PEFT fills that in itself)
    expect(JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'))).toEqual({
      task_type: 'CAUSAL_LM',
      peft_type: 'P_TUNING',
      auto_mapping: null,
      base_model_name_or_path: 'tiny-llama',
      revision: null,
      inference_mode: true,
      num_virtual_tokens: 5,
      token_dim: 8,
      num_transformer_submodules: 1,
      num_attention_heads: 2,
      num_layers: 2,
      modules_to_save: null,
      encoder_reparameterization_type: 'MLP',
      encoder_hidden_size: 16,
      encoder_num_layers: 2,
      encoder_dropout: 0,
    });
  });

  it.each(['MLP', 'LSTM'])(
    'holds one f32 tensor prompt_embeddings [num_virtual_tokens, token_dim] (%s): the encoder’s output, not its weights',
    async (type) => {
      const peft = PeftModel.create(
        tinyModel(TINY_GPT2),
        pTuningMethod,
        { num_virtual_tokens: 4, encoder_hidden_size: 6, encoder_reparameterization_type: type },
        { modelConfig: TINY_GPT2 },
      );
      await peft.save(dir);
      const { tensors } = await readAdapterFolder(dir);
      expect([...tensors.keys()]).toEqual(['prompt_embeddings']);
      const t = tensors.get('prompt_embeddings');
      expect([t?.dtype, t?.shape]).toEqual(['f32', [4, 8]]);
      const table = peft.stateDict().get('prompt_embeddings');
      expect(t?.toArray()).not.toEqual(table?.toArray());
    },
  );

  it('loads back for inference: the table alone, frozen, the same logits', async () => {
    const rows = [[3, 1, 4, 1, 5]];
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      pTuningMethod,
      { num_virtual_tokens: 3, encoder_hidden_size: 4 },
      { modelConfig: TINY_LLAMA },
    );
    await peft.save(dir);
    const loaded = await PeftModel.fromPretrained(tinyModel(TINY_LLAMA), dir, {
      methods: [pTuningMethod],
      modelConfig: TINY_LLAMA,
    });
    expect(loaded.trainableParameters()).toEqual([]);
    expect([...loaded.stateDict().keys()]).toEqual(['prompt_embeddings']);
    expect(maxAbsDiff(await logitsOf(loaded.model, rows), await logitsOf(peft.model, rows))).toBe(
      0,
    );
  });

  it('refuses to load for training: the file holds the encoder’s output, not the encoder', async () => {
    const peft = PeftModel.create(
      tinyModel(TINY_LLAMA),
      pTuningMethod,
      { num_virtual_tokens: 3, encoder_hidden_size: 4 },
      { modelConfig: TINY_LLAMA },
    );
    await peft.save(dir);
    await expect(
      PeftModel.fromPretrained(tinyModel(TINY_LLAMA), dir, {
        methods: [pTuningMethod],
        modelConfig: TINY_LLAMA,
        isTrainable: true,
      }),
    ).rejects.toThrow(/missing \(6\): mlp_head\.0\.weight/);
  });
});
