import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeftModel, UserError } from '@tunekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoraLinear, loraMethod } from '../src/index.js';
import { FIXTURES, LORA_OPTIONS, tinyLlama } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-lora-errors-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const create = async (config: object, options = LORA_OPTIONS) =>
  PeftModel.create(await tinyLlama(), loraMethod, config, options);

/** The lora fixture with its adapter_config.json edited. */
async function editedAdapter(edit: (config: Record<string, unknown>) => void): Promise<string> {
  await cp(`${FIXTURES}lora`, dir, { recursive: true });
  const path = join(dir, 'adapter_config.json');
  const config = JSON.parse(await readFile(path, 'utf8'));
  edit(config);
  await writeFile(path, JSON.stringify(config));
  return dir;
}

describe('bad input', () => {
  it('target_modules that match nothing: the error lists the modules the model has', async () => {
    const run = create({ target_modules: ['q_projj', 'v_prj'] });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(
      /target_modules \["q_projj","v_prj"\] matched no module of the model; its modules are: .*model\.layers\.\*\.self_attn\.q_proj, .*model\.layers\.\*\.mlp\.down_proj, .*lm_head/,
    );
  });

  it('r <= 0 names the field', async () => {
    await expect(create({ r: 0 })).rejects.toThrow(
      "lora config of adapter 'default': r: expected a positive integer (the LoRA rank)",
    );
    await expect(create({ rank_pattern: { q_proj: -1 } })).rejects.toThrow(
      /rank_pattern\.q_proj: expected a positive integer rank/,
    );
    // a layer asked directly for rank 0 refuses it, as PEFT's update_layer does
    const layer = (await create({ target_modules: ['q_proj'] })).model.getModule(
      'model.layers.0.self_attn.q_proj',
    ) as LoraLinear;
    expect(() =>
      layer.updateLayer({
        adapterName: 'x',
        r: 0,
        lora_alpha: 8,
        lora_dropout: 0,
        use_rslora: false,
        use_dora: false,
        init_lora_weights: true,
        random: Math.random,
        dropoutSalt: 0,
      }),
    ).toThrow('r should be a positive integer, got 0');
  });

  it('an adapter folder whose keys do not fit the model lists the mismatches', async () => {
    const folder = await editedAdapter((config) => {
      config.target_modules = ['q_proj', 'k_proj'];
      config.r = 8;
    });
    const run = PeftModel.fromPretrained(await tinyLlama(), folder, LORA_OPTIONS);
    await expect(run).rejects.toThrow(UserError);
    const message = await run.catch((err: Error) => err.message);
    expect(message).toMatch(/does not fit the model as adapter 'default' is configured/);
    expect(message).toMatch(
      /missing \(4\): base_model\.model\.model\.layers\.0\.self_attn\.k_proj\.lora_A\.weight/,
    );
    expect(message).toMatch(/unexpected \(8\): .*layers\.0\.self_attn\.v_proj\.lora_A\.weight/);
    expect(message).toMatch(
      /shape mismatch \(4\): .*q_proj\.lora_A\.weight: file \[4, 16\], model \[8, 16\]/,
    );
  });

  it('a module no dispatcher can wrap, and no dispatcher at all, are explained', async () => {
    await expect(create({ target_modules: ['mlp'] })).rejects.toThrow(
      "module 'model.layers.0.mlp' (LlamaMLP) cannot be adapted by lora: no registered dispatcher accepts it (dense)",
    );
    await expect(
      create({ target_modules: ['q_proj'] }, { ...LORA_OPTIONS, dispatchers: [] }),
    ).rejects.toThrow("no LinearDispatcher for 'lora' is registered");
  });

  it('no target_modules for a model type without defaults is explained', async () => {
    await expect(create({}, { ...LORA_OPTIONS, modelType: 'bert' })).rejects.toThrow(
      "target_modules is not set and there is no default for model type 'bert'",
    );
  });

  it('an adapter_config.json using a feature tunekit lacks names it', async () => {
    const folder = await editedAdapter((config) => {
      config.use_qalora = true;
    });
    await expect(PeftModel.fromPretrained(await tinyLlama(), folder, LORA_OPTIONS)).rejects.toThrow(
      /use_qalora: tunekit does not support QA-LoRA/,
    );
  });
});
