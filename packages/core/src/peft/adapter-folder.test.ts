import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSafetensorsHeader } from '../io/index.js';
import { HostTensor } from '../tensor/index.js';
import { readAdapterFolder, writeAdapterFolder } from './adapter-folder.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-adapter-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('adapter folders', () => {
  it('writes adapter_config.json with sorted keys and adapter_model.safetensors with format pt', async () => {
    const key = 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight';
    await writeAdapterFolder(dir, {
      config: { r: 2, peft_type: 'LORA', alpha_pattern: {} },
      tensors: new Map([[key, HostTensor.from('f32', [2, 3], [1, 2, 3, 4, 5, 6])]]),
    });
    const text = await readFile(join(dir, 'adapter_config.json'), 'utf8');
    expect(text).toBe('{\n  "alpha_pattern": {},\n  "peft_type": "LORA",\n  "r": 2\n}\n');
    const header = await readSafetensorsHeader(join(dir, 'adapter_model.safetensors'));
    expect(header.metadata).toEqual({ format: 'pt' });
    const back = await readAdapterFolder(dir);
    expect(back.config).toEqual({ r: 2, peft_type: 'LORA', alpha_pattern: {} });
    expect(back.tensors.get(key)?.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('explains a folder that is missing, has no config, or holds only a pickle', async () => {
    await expect(readAdapterFolder(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(readAdapterFolder(dir)).rejects.toThrow(/no adapter_config\.json/);
    await writeFile(join(dir, 'adapter_config.json'), '{"peft_type": "LORA"}');
    await expect(readAdapterFolder(dir)).rejects.toThrow(/has no adapter_model\.safetensors/);
    await writeFile(join(dir, 'adapter_model.bin'), 'pickle');
    await expect(readAdapterFolder(dir)).rejects.toThrow(/adapter_model\.bin, a pickle/);
  });

  // before: `merge` of an adapter holding NaN wrote a NaN model without a word
  it('refuses an adapter weight holding NaN/Inf unless allowNonfinite, then warns', async () => {
    const key = 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight';
    await writeAdapterFolder(dir, {
      config: { peft_type: 'LORA' },
      tensors: new Map([[key, HostTensor.from('bf16', [2, 2], [0, Number.NaN, 1, 2])]]),
    });
    const file = join(dir, 'adapter_model.safetensors');
    await expect(readAdapterFolder(dir)).rejects.toThrow(
      `${file}: tensor ${key} holds 1 non-finite value (NaN/Inf); pass --allow-nonfinite`,
    );
    const warnings: string[] = [];
    const back = await readAdapterFolder(dir, {
      allowNonfinite: true,
      warn: (m) => warnings.push(m),
    });
    expect(back.tensors.get(key)?.toArray()).toEqual([0, Number.NaN, 1, 2]);
    expect(warnings).toEqual([
      `${file}: tensor ${key} holds 1 non-finite value (NaN/Inf); loading it anyway (--allow-nonfinite)`,
    ]);
  });
});
