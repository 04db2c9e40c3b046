import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HostTensor,
  loadWeights,
  readAdapterFolder,
  readHfConfig,
  writeAdapterFolder,
  writeModelFolder,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { runTunekit, workDir } from './harness.js';
import { writeTinyLlamaFolder } from './tiny-model-folder.js';

const fixtures = fileURLToPath(new URL('../../../peft-lora/test/fixtures/', import.meta.url));
const work = await workDir('nonfinite');

/** `t` with NaN at its first index and +Inf at its second. */
function poisoned(t: HostTensor): HostTensor {
  const values = t.toFloat64();
  values[0] = Number.NaN;
  values[1] = Number.POSITIVE_INFINITY;
  return HostTensor.from(t.dtype, t.shape, values);
}

// before: a NaN in a base weight made `generate` print an empty line and exit 0
describe('tunekit generate on weights holding NaN/Inf', () => {
  it('fails naming the file, the tensor and the count; --allow-nonfinite goes on with a warning', async () => {
    const folder = join(work, 'tiny-llama');
    await writeTinyLlamaFolder(folder);
    const up = 'model.layers.0.mlp.up_proj.weight';
    const weights = await loadWeights(folder);
    weights.set(up, poisoned(weights.get(up) as HostTensor));
    await writeModelFolder(folder, { config: await readHfConfig(folder), weights });
    const args = ['generate', '--model', folder, '--prompt', 'Hi', '--max-new-tokens', '2'];
    const what = `${join(folder, 'model.safetensors')}: tensor ${up} holds 2 non-finite values (NaN/Inf)`;

    const refused = await runTunekit(args);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `error: ${what}; pass --allow-nonfinite (allow_nonfinite: true in a training config) to load it anyway\n`,
    );

    const allowed = await runTunekit([...args, '--allow-nonfinite']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toBe(`warning: ${what}; loading it anyway (--allow-nonfinite)\n`);
  });
});

// before: merging an adapter holding NaN wrote a NaN model and exited 0
describe('tunekit merge of an adapter holding NaN/Inf', () => {
  it('refuses to load it or write the merge; --allow-nonfinite writes it with warnings', async () => {
    const adapter = join(work, 'nan-lora');
    await cp(join(fixtures, 'lora'), adapter, { recursive: true });
    const { config, tensors } = await readAdapterFolder(adapter);
    const [name] = [...tensors.keys()].filter((k) => k.includes('q_proj.lora_B'));
    await writeAdapterFolder(adapter, {
      config,
      tensors: new Map([...tensors].map(([k, t]) => [k, k === name ? poisoned(t) : t])),
    });
    const out = join(work, 'merged');
    const args = ['merge', '--model', join(fixtures, 'tiny-llama'), '--adapter', adapter];

    const refused = await runTunekit([...args, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      `error: ${join(adapter, 'adapter_model.safetensors')}: tensor ${name} holds 2 non-finite values (NaN/Inf); pass --allow-nonfinite`,
    );
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);

    const allowed = await runTunekit([...args, '--out', out, '--allow-nonfinite']);
    expect(allowed.code).toBe(0);
    const warnings = allowed.stderr.trim().split('\n');
    expect(warnings[0]).toBe(
      `warning: ${join(adapter, 'adapter_model.safetensors')}: tensor ${name} holds 2 non-finite values (NaN/Inf); loading it anyway (--allow-nonfinite)`,
    );
    expect(warnings[1]).toMatch(
      /^warning: merged tensor model\.layers\.\d\.self_attn\.q_proj\.weight holds \d+ non-finite values \(NaN\/Inf\) in f32; writing it anyway \(--allow-nonfinite\)$/,
    );
    expect(await readdir(out)).toContain('model.safetensors');
  });
});
