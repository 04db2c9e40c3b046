import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCausalLM,
  type CausalLM,
  PeftModel,
  UserError,
  writeAdapterFolder,
} from '@tunekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ia3Method } from '../src/index.js';
import {
  IA3_OPTIONS,
  logitsOf,
  maxAbsDiff,
  randomize,
  TINY_CONFIGS,
  type TinyType,
  tinyModel,
} from './helpers.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-ia3-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const ia3 = (type: TinyType, config: Record<string, unknown> = {}) =>
  PeftModel.create(tinyModel(type), ia3Method, config, { ...IA3_OPTIONS, modelType: type });

/** Vectors away from ones, so that the adapter changes the model's outputs. */
function trained<M extends CausalLM>(peft: PeftModel<M>): PeftModel<M> {
  randomize(peft.adapterParameters().values(), 5, 0.3, 1);
  return peft;
}

// PeftConfigMixin, PeftConfig and IA3Config fields of peft 0.20 (peft/config.py,
// peft/tuners/ia3/config.py), as `IA3Config().to_dict()` has them
const PEFT_IA3_CONFIG_FIELDS = [
  'auto_mapping',
  'base_model_name_or_path',
  'exclude_modules',
  'fan_in_fan_out',
  'feedforward_modules',
  'inference_mode',
  'init_ia3_weights',
  'modules_to_save',
  'peft_type',
  'peft_version',
  'revision',
  'target_modules',
  'task_type',
];

describe('IA3 with PEFT’s defaults for Llama', () => {
  it('adds a vector on k_proj and v_proj outputs and on down_proj inputs, under PEFT’s keys', () => {
    const peft = ia3('llama');
    expect(peft.config()).toMatchObject({
      target_modules: ['k_proj', 'v_proj', 'down_proj'],
      feedforward_modules: ['down_proj'],
    });
    const shapes = Object.fromEntries([...peft.stateDict()].map(([key, t]) => [key, t.shape]));
    const layer = (i: number) => `base_model.model.model.layers.${i}`;
    // kv: 1 head of 4 (hidden 8 / 2 heads); down_proj's input is the intermediate size
    expect(shapes).toEqual({
      [`${layer(0)}.self_attn.k_proj.ia3_l`]: [4, 1],
      [`${layer(0)}.self_attn.v_proj.ia3_l`]: [4, 1],
      [`${layer(0)}.mlp.down_proj.ia3_l`]: [1, 12],
      [`${layer(1)}.self_attn.k_proj.ia3_l`]: [4, 1],
      [`${layer(1)}.self_attn.v_proj.ia3_l`]: [4, 1],
      [`${layer(1)}.mlp.down_proj.ia3_l`]: [1, 12],
    });
    expect(peft.parameterCounts().trainable).toBe(2 * (4 + 4 + 12));
    expect(peft.trainableParameters().every(([path]) => path.includes('.ia3_l.default'))).toBe(
      true,
    );
  });

  it('starts as the identity (ones); init_ia3_weights false does not', async () => {
    const base = await logitsOf(tinyModel('llama'));
    expect(await logitsOf(ia3('llama').model)).toEqual(base);
    const random = await logitsOf(ia3('llama', { init_ia3_weights: false }).model);
    expect(maxAbsDiff(random, base)).toBeGreaterThan(1e-3);
  });

  it('saves PEFT’s adapter_config.json fields and loads back to the same logits', async () => {
    const peft = trained(ia3('llama'));
    const dir = join(work, 'saved');
    await peft.save(dir, { baseModelNameOrPath: 'tiny-llama' });
    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    expect(Object.keys(config).every((key) => PEFT_IA3_CONFIG_FIELDS.includes(key))).toBe(true);
    expect(config).toMatchObject({
      peft_type: 'IA3',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'tiny-llama',
      inference_mode: true,
      target_modules: ['k_proj', 'v_proj', 'down_proj'],
      feedforward_modules: ['down_proj'],
      fan_in_fan_out: false,
      init_ia3_weights: true,
      modules_to_save: null,
      exclude_modules: null,
    });
    const loaded = await PeftModel.fromPretrained(tinyModel('llama'), dir, {
      ...IA3_OPTIONS,
      modelType: 'llama',
    });
    expect(await logitsOf(loaded.model)).toEqual(await logitsOf(peft.model));
    expect(loaded.parameterCounts().trainable).toBe(0);
  });

  it('loads an adapter_config.json as peft 0.20 writes it (sets as lists, peft_version)', async () => {
    const dir = join(work, 'from-peft');
    const tensors = trained(ia3('llama', { target_modules: ['v_proj'] })).stateDict();
    await writeAdapterFolder(dir, {
      config: {
        auto_mapping: null,
        base_model_name_or_path: 'tiny-llama',
        exclude_modules: null,
        fan_in_fan_out: false,
        feedforward_modules: [],
        inference_mode: true,
        init_ia3_weights: true,
        modules_to_save: null,
        peft_type: 'IA3',
        peft_version: '0.20.0',
        revision: null,
        target_modules: ['v_proj'],
        task_type: 'CAUSAL_LM',
      },
      tensors,
    });
    const loaded = await PeftModel.fromPretrained(tinyModel('llama'), dir, IA3_OPTIONS);
    expect([...loaded.stateDict().keys()]).toEqual([...tensors.keys()]);
  });
});

describe.each(['llama', 'qwen2', 'gpt2'] as const)('merging IA3 on %s', (type) => {
  it('gives the unmerged logits, unmerge restores the weights, merge_and_unload a plain model', async () => {
    const peft = trained(ia3(type, { target_modules: 'all-linear' }));
    const before = new Map(peft.model.namedParameters().map(([n, p]) => [n, p.value]));
    const unmerged = await logitsOf(peft.model);
    expect(maxAbsDiff(unmerged, await logitsOf(tinyModel(type)))).toBeGreaterThan(1e-3);
    peft.merge();
    expect(maxAbsDiff(await logitsOf(peft.model), unmerged)).toBeLessThan(1e-4);
    const changed = peft.model.namedParameters().filter(([n, p]) => p.value !== before.get(n));
    expect(changed.length).toBeGreaterThan(0);
    // qwen2's q/k/v biases and GPT-2's Conv1D biases scale with their outputs
    if (type !== 'llama') expect(changed.some(([n]) => n.endsWith('.base_layer.bias'))).toBe(true);
    peft.unmerge();
    for (const [n, p] of peft.model.namedParameters())
      expect(maxAbsDiff(p.value.toFloat64(), before.get(n)?.toFloat64() ?? []), n).toBeLessThan(
        1e-6,
      );
    const plain = peft.mergeAndUnload();
    expect(plain.namedParameters().map(([n]) => n)).toEqual(
      tinyModel(type)
        .namedParameters()
        .map(([n]) => n),
    );
    expect(maxAbsDiff(await logitsOf(plain), unmerged)).toBeLessThan(1e-4);
  });
});

describe('GPT-2 (Conv1D, weights stored [in, out])', () => {
  it('takes PEFT’s defaults: c_attn scales its output, mlp.c_proj its input', () => {
    const shapes = Object.fromEntries([...ia3('gpt2').stateDict()].map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      'base_model.model.transformer.h.0.attn.c_attn.ia3_l': [24, 1],
      'base_model.model.transformer.h.0.mlp.c_proj.ia3_l': [1, 32],
    });
  });
});

describe('IA3 config errors', () => {
  const fails = (type: TinyType, config: Record<string, unknown>) => {
    let error: unknown;
    try {
      ia3(type, config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  };

  it('names a feedforward module outside target_modules, and an unknown field', () => {
    expect(
      fails('llama', { target_modules: ['k_proj'], feedforward_modules: ['down_proj'] }),
    ).toMatch(/feedforward_modules: should be a subset of target_modules/);
    expect(fails('llama', { r: 8 })).toMatch(/r: unknown field/);
  });

  it('asks for the modules when the model type has no defaults', async () => {
    const { model } = buildCausalLM(TINY_CONFIGS.llama);
    let message = '';
    try {
      PeftModel.create(model, ia3Method, {}, { ...IA3_OPTIONS, modelType: 'falcon' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /target_modules is not set and there is no default for model type 'falcon'/,
    );
  });
});
