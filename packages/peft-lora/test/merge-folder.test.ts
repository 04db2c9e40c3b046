import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HostTensor,
  loadCausalLM,
  loadWeights,
  PeftModel,
  readHfConfig,
  readSafetensorsHeader,
  UserError,
  writeModelFolder,
} from '@tunekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loraMethod, mergeAdapterIntoFolder } from '../src/index.js';
import { BASE, FIXTURES, LORA_OPTIONS, logitsOf, maxAbsDiff, readGolden } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-merge-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mergeAdapterIntoFolder (tunekit merge)', () => {
  it.each(['lora', 'dora'])(
    'writes an HF model folder whose logits are the %s adapter’s',
    async (name) => {
      const out = join(dir, 'merged');
      const files = await mergeAdapterIntoFolder({
        model: BASE,
        adapter: `${FIXTURES}${name}`,
        out,
      });
      expect(files.sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json']);
      expect((await readdir(out)).sort()).toEqual(files);
      expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8'))).toEqual(
        JSON.parse(await readFile(join(BASE, 'config.json'), 'utf8')),
      );
      const header = await readSafetensorsHeader(join(out, 'model.safetensors'));
      const base = await readSafetensorsHeader(join(BASE, 'model.safetensors'));
      const layout = (h: typeof header) =>
        [...h.tensors.values()].map((t) => `${t.name} ${t.dtype} ${t.shape}`).sort();
      expect(layout(header)).toEqual(layout(base));
      expect(header.metadata).toEqual({ format: 'pt' });
      const golden = await readGolden(name);
      const merged = (await loadCausalLM(out)).model;
      expect(
        maxAbsDiff((await logitsOf(merged, golden.input_ids)).toFloat64(), golden.logits.data),
      ).toBeLessThan(1e-4);
    },
  );

  it("takes the adapter's tokenizer files over the base's", async () => {
    const adapter = join(dir, 'adapter');
    await cp(`${FIXTURES}lora`, adapter, { recursive: true });
    await writeFile(join(adapter, 'tokenizer_config.json'), '{"chat_template": "trained"}\n');
    const out = join(dir, 'merged');
    await mergeAdapterIntoFolder({ model: BASE, adapter, out });
    expect(await readFile(join(out, 'tokenizer_config.json'), 'utf8')).toBe(
      '{"chat_template": "trained"}\n',
    );
  });

  it('keeps the dtype each weight has in the base checkpoint (bf16 here)', async () => {
    const base = join(dir, 'bf16');
    const weights = new Map(
      [...(await loadWeights(BASE))].map(([n, t]) => [
        n,
        HostTensor.from('bf16', t.shape, t.toFloat64()),
      ]),
    );
    await writeModelFolder(base, { config: await readHfConfig(BASE), weights });
    const adapter = join(dir, 'adapter');
    const peft = PeftModel.create(
      (await loadCausalLM(base)).model,
      loraMethod,
      { target_modules: ['q_proj'], init_lora_weights: false },
      LORA_OPTIONS,
    );
    await peft.save(adapter);
    const rows = [[1, 2, 3]];
    const adapted = await logitsOf(peft.model, rows);
    const out = join(dir, 'merged');
    await mergeAdapterIntoFolder({ model: base, adapter, out });
    const header = await readSafetensorsHeader(join(out, 'model.safetensors'));
    expect(new Set([...header.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['BF16']));
    // bf16 rounding of the merged weights only
    expect(
      maxAbsDiff(
        (await logitsOf((await loadCausalLM(out)).model, rows)).toFloat64(),
        adapted.toFloat64(),
      ),
    ).toBeLessThan(5e-2);
  });

  // before: a merge whose weights were not finite (an f16 overflow here) was written silently
  it('refuses to write merged weights that are not finite in their stored dtype', async () => {
    const base = join(dir, 'f16');
    const weights = new Map(
      [...(await loadWeights(BASE))].map(([n, t]) => [
        n,
        HostTensor.from('f16', t.shape, t.toFloat64()),
      ]),
    );
    await writeModelFolder(base, { config: await readHfConfig(BASE), weights });
    const peft = PeftModel.create(
      (await loadCausalLM(base)).model,
      loraMethod,
      { target_modules: ['q_proj'], init_lora_weights: false },
      LORA_OPTIONS,
    );
    // finite in the f32 adapter, far beyond f16's 65504 once merged
    for (const [name, p] of peft.model.namedParameters())
      if (name.includes('lora_'))
        p.value = HostTensor.from('f32', p.shape, Array(p.value.size).fill(300));
    const adapter = join(dir, 'adapter');
    await peft.save(adapter);
    const out = join(dir, 'merged');
    const error = await mergeAdapterIntoFolder({ model: base, adapter, out }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^merged tensor model\.layers\.0\.self_attn\.q_proj\.weight holds \d+ non-finite values \(NaN\/Inf\) in f16; not writing .*merged/,
    );
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);

    const warnings: string[] = [];
    await mergeAdapterIntoFolder({
      model: base,
      adapter,
      out,
      allowNonfinite: true,
      warn: (m) => warnings.push(m),
    });
    expect(warnings[0]).toMatch(/q_proj\.weight holds \d+ non-finite values .*writing it anyway/);
    expect(await readdir(out)).toContain('model.safetensors');
  });
});
