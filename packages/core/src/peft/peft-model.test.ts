import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Linear } from '../nn/index.js';
import { HostTensor } from '../tensor/index.js';
import { ModulesToSaveWrapper } from './modules-to-save.js';
import { methodConfigSchema } from './peft-config.js';
import { PeftModel } from './peft-model.js';
import { outputOf, ScaleLayer, tinyNet, toyDispatcher, toyMethod } from './test-utils.js';

const options = { dispatchers: [toyDispatcher], methods: [toyMethod] };
const toy = (config: object, adapterName?: string) =>
  PeftModel.create(tinyNet(), toyMethod, config, { ...options, adapterName });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-peft-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PeftModel', () => {
  it('wraps the targets in place and trains only the adapter', () => {
    const peft = toy({ target_modules: ['q_proj'] });
    expect(peft.model.getModule('model.layers.0.self_attn.q_proj')).toBeInstanceOf(ScaleLayer);
    expect(peft.trainableParameters().map(([name]) => name)).toEqual([
      'model.layers.0.self_attn.q_proj.toy_scale.default',
      'model.layers.1.self_attn.q_proj.toy_scale.default',
    ]);
    expect(peft.parameterCounts()).toEqual({ trainable: 8, all: 2 * (3 * 16 + 20) + 12 + 8 });
    expect(peft.printTrainableParameters(() => {})).toBe(
      'trainable params: 8 || all params: 156 || trainable%: 5.1282',
    );
  });

  it('createParsed takes a config the method schema parsed at the edge, as create does a raw one', async () => {
    const config = methodConfigSchema(toyMethod).parse({ target_modules: ['q_proj'], init: 3 });
    const parsed = PeftModel.createParsed(tinyNet(), toyMethod, config, options);
    const raw = toy({ target_modules: ['q_proj'], init: 3 });
    expect(parsed.config()).toEqual(raw.config());
    expect(parsed.trainableParameters().map(([name]) => name)).toEqual(
      raw.trainableParameters().map(([name]) => name),
    );
    // init 3 scales q_proj's outputs, so the adapted model's differ from the base model's
    expect(await outputOf(parsed.model)).toEqual(await outputOf(raw.model));
    expect(await outputOf(parsed.model)).not.toEqual(await outputOf(tinyNet()));
  });

  it('saves under PEFT keys without the adapter name, and loads them back', async () => {
    const peft = toy({ target_modules: ['q_proj'], init: 2 });
    expect([...peft.stateDict().keys()]).toEqual([
      'base_model.model.model.layers.0.self_attn.q_proj.toy_scale',
      'base_model.model.model.layers.1.self_attn.q_proj.toy_scale',
    ]);
    await peft.save(dir, { baseModelNameOrPath: 'org/tiny' });
    const loaded = await PeftModel.fromPretrained(tinyNet(), dir, options);
    expect(await outputOf(loaded.model)).toEqual(await outputOf(peft.model));
    expect(loaded.config()).toMatchObject({
      peft_type: 'TOY',
      inference_mode: true,
      base_model_name_or_path: 'org/tiny',
    });
    expect(loaded.trainableParameters()).toEqual([]);
  });

  it('lists every missing, unexpected and mis-shaped key of an adapter that does not fit', () => {
    const peft = toy({ target_modules: ['q_proj'] });
    const bad = new Map([
      ['base_model.model.model.layers.0.self_attn.q_proj.toy_scale', HostTensor.zeros('f32', [5])],
      ['base_model.model.model.layers.0.self_attn.k_proj.toy_scale', HostTensor.zeros('f32', [4])],
    ]);
    const before = peft.stateDict();
    expect(() => peft.loadStateDict(bad)).toThrow(
      /missing \(1\): base_model\.model\.model\.layers\.1\.self_attn\.q_proj\.toy_scale\n {2}unexpected \(1\): .*k_proj\.toy_scale\n {2}shape mismatch \(1\): .*q_proj\.toy_scale: file \[5\], model \[4\]/,
    );
    expect(peft.stateDict()).toEqual(before);
  });

  it('adds, switches, disables and deletes adapters', async () => {
    const base = await outputOf(tinyNet());
    const peft = toy({ target_modules: ['q_proj', 'v_proj'], init: 2 });
    const withDefault = await outputOf(peft.model);
    expect(withDefault).not.toEqual(base);
    peft.addAdapter('other', toyMethod, { target_modules: ['v_proj'], init: 3 });
    expect(peft.activeAdapter).toBe('default');
    expect(await outputOf(peft.model)).toEqual(withDefault);
    peft.setAdapter('other');
    expect(peft.trainableParameters().map(([n]) => n)).toEqual([
      'model.layers.0.self_attn.v_proj.toy_scale.other',
      'model.layers.1.self_attn.v_proj.toy_scale.other',
    ]);
    const withOther = await outputOf(peft.model);
    expect(withOther).not.toEqual(withDefault);
    expect(await peft.withAdaptersDisabled(() => outputOf(peft.model))).toEqual(base);
    expect(await outputOf(peft.model)).toEqual(withOther);
    peft.deleteAdapter('other');
    expect(peft.adapterNames()).toEqual(['default']);
    expect(peft.activeAdapter).toBe('default');
    expect(await outputOf(peft.model)).toEqual(withDefault);
    expect(() => peft.deleteAdapter('default')).toThrow(/the only adapter/);
    expect(() => peft.setAdapter('nope')).toThrow("no adapter 'nope'; the model has: default");
  });

  it('saves a second adapter in a folder of its own name, as PEFT does', async () => {
    const peft = toy({ target_modules: ['q_proj'] });
    peft.addAdapter('other', toyMethod, { target_modules: ['k_proj'], init: 3 });
    await peft.save(dir);
    const other = await PeftModel.fromPretrained(tinyNet(), join(dir, 'other'), options);
    expect([...other.stateDict().keys()]).toEqual([
      'base_model.model.model.layers.0.self_attn.k_proj.toy_scale',
      'base_model.model.model.layers.1.self_attn.k_proj.toy_scale',
    ]);
  });

  it('runs and trains several active adapters together, and loads them back as saved', async () => {
    const peft = toy({ target_modules: ['q_proj'], init: 2 });
    peft.addAdapter('other', toyMethod, { target_modules: ['v_proj'], init: 3 });
    const alone = await outputOf(peft.model);
    peft.setAdapter(['default', 'other']);
    expect(peft.activeAdapters).toEqual(['default', 'other']);
    expect(peft.trainableParameters().map(([n]) => n)).toEqual([
      'model.layers.0.self_attn.q_proj.toy_scale.default',
      'model.layers.0.self_attn.v_proj.toy_scale.other',
      'model.layers.1.self_attn.q_proj.toy_scale.default',
      'model.layers.1.self_attn.v_proj.toy_scale.other',
    ]);
    const both = await outputOf(peft.model);
    expect(both).not.toEqual(alone);
    await peft.save(dir);
    const loaded = await PeftModel.fromPretrainedAll(tinyNet(), dir, options);
    expect(loaded.activeAdapters).toEqual(['default', 'other']);
    expect(loaded.trainableParameters()).toEqual([]);
    expect(await outputOf(loaded.model)).toEqual(both);
  });

  it('applies adapters per row only where every layer of theirs can', () => {
    const peft = toy({ target_modules: ['q_proj'], init: 2 });
    expect(peft.supportsPerRow('default')).toBe(false);
    expect(() => peft.setAdapterPerRow(['default'])).toThrow(
      "adapter 'default' cannot apply per row of a batch; run its rows in a batch of their own",
    );
  });

  it('keeps an adapter loaded for inference frozen while one beside it trains', async () => {
    const frozen = toy({ target_modules: ['v_proj'], init: 3 });
    await frozen.save(dir);
    const peft = toy({ target_modules: ['q_proj'], init: 2 });
    await peft.loadAdapter(dir, 'frozen');
    peft.setAdapter(['default', 'frozen']);
    expect(peft.isTrainable('frozen')).toBe(false);
    expect(peft.trainableParameters().map(([n]) => n)).toEqual([
      'model.layers.0.self_attn.q_proj.toy_scale.default',
      'model.layers.1.self_attn.q_proj.toy_scale.default',
    ]);
  });

  it('unload puts the base modules back', async () => {
    const base = await outputOf(tinyNet());
    const peft = toy({ target_modules: ['q_proj'], init: 2 });
    const model = peft.unload();
    expect(model.getModule('model.layers.0.self_attn.q_proj')).toBeInstanceOf(Linear);
    expect(await outputOf(model)).toEqual(base);
  });

  it('trains and saves a copy of each module in modules_to_save, under its own name', async () => {
    const peft = toy({ target_modules: ['q_proj'], modules_to_save: ['lm_head'] });
    expect(peft.model.getModule('lm_head')).toBeInstanceOf(ModulesToSaveWrapper);
    expect(peft.trainableParameters().map(([n]) => n)).toContain(
      'lm_head.modules_to_save.default.weight',
    );
    expect(peft.stateDict().has('base_model.model.lm_head.weight')).toBe(true);
    const copy = peft.model.getModule('lm_head.modules_to_save.default');
    const trained = HostTensor.from('f32', [3, 4], new Array(12).fill(0.25));
    copy.loadStateDict(new Map([['weight', trained]]));
    await peft.save(dir);
    const loaded = await PeftModel.fromPretrained(tinyNet(), dir, options);
    expect(loaded.stateDict().get('base_model.model.lm_head.weight')?.toArray()).toEqual(
      trained.toArray(),
    );
    expect(await outputOf(loaded.model)).toEqual(await outputOf(peft.model));
    const original = peft.model.getModule('lm_head.original_module');
    expect(original.stateDict().get('weight')).toEqual(
      tinyNet().getModule('lm_head').stateDict().get('weight'),
    );
  });

  it('refuses a folder of an unregistered method and leaves the model untouched', async () => {
    await toy({ target_modules: ['q_proj'] }).save(dir);
    await expect(
      PeftModel.fromPretrained(tinyNet(), dir, { dispatchers: [toyDispatcher] }),
    ).rejects.toThrow(
      'adapter_config.json has peft_type "TOY"; registered methods: none; install the plugin package that provides it',
    );
  });
});
