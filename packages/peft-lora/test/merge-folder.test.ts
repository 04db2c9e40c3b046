import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  corePlugins,
  createContainer,
  loadCausalLM,
  mergeAdapterIntoFolder,
  readSafetensorsHeader,
} from '@tunekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plugin } from '../src/index.js';
import { BASE, FIXTURES, logitsOf, maxAbsDiff, readGolden } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-merge-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// core's merge (tunekit merge) with this plugin registered: the merged weights give PEFT's logits
describe('mergeAdapterIntoFolder with LoRA', () => {
  it.each(['lora', 'dora'])(
    'writes an HF model folder whose logits are the %s adapter’s',
    async (name) => {
      const out = join(dir, 'merged');
      const files = await mergeAdapterIntoFolder({
        model: BASE,
        adapter: `${FIXTURES}${name}`,
        out,
        container: createContainer([...corePlugins, plugin]),
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
});
