import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { UserError } from '../errors/index.js';
import type { DType } from '../graph/index.js';
import { readSafetensorsHeader, writeModelFolder } from '../io/index.js';
import { buildCausalLM, type CausalLM, loadCausalLM, traceLogits } from '../models/index.js';
import {
  CORE_VERSION,
  corePlugins,
  createContainer,
  TOKENS,
  type TunekitPlugin,
} from '../plugin/index.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';
import { mergeAdapterIntoFolder } from './merge-folder.js';
import { PeftModel } from './peft-model.js';
import { toyDispatcher, toyMethod } from './test-utils.js';

const CONFIG = {
  model_type: 'llama',
  vocab_size: 20,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
};
const TOY = { methods: [toyMethod], dispatchers: [toyDispatcher] };
const ROWS = [[1, 2, 3, 4]];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-merge-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A random tiny Llama saved as an HF folder, its weights stored in `dtype`. */
async function baseFolder(dtype: DType = 'f32'): Promise<string> {
  const { model } = buildCausalLM(CONFIG);
  const random = seededRandom(3);
  const weights = new Map<string, HostTensor>();
  for (const [name, p] of model.namedParameters()) {
    const values = randomNormal(p.value.size, random).map((v) => v * 0.3);
    weights.set(name, HostTensor.from(dtype, p.shape, values));
  }
  const base = join(dir, `base-${dtype}`);
  await writeModelFolder(base, { config: CONFIG, weights });
  return base;
}

/** A toy adapter (a learned scale on q_proj's outputs) trained on `base`, saved as PEFT does. */
async function toyAdapter(
  base: string,
  scale: (i: number) => number,
): Promise<PeftModel<CausalLM>> {
  const { model } = await loadCausalLM(base);
  const peft = PeftModel.create(model, toyMethod, { target_modules: ['q_proj'] }, TOY);
  for (const [name, p] of peft.model.namedParameters())
    if (name.includes('toy_scale'))
      p.value = HostTensor.from(
        'f32',
        p.shape,
        Array.from({ length: p.value.size }, (_, i) => scale(i)),
      );
  return peft;
}

async function logitsOf(model: CausalLM): Promise<number[]> {
  const traced = traceLogits(model, { batch: 1, seq: ROWS[0].length });
  return (await evaluate(traced.graph, traced.feeds(ROWS))).logits.toArray();
}

describe('mergeAdapterIntoFolder', () => {
  it("writes an HF model folder whose logits are the adapter's, with the adapter's tokenizer files", async () => {
    const base = await baseFolder();
    await writeFile(join(base, 'tokenizer_config.json'), '{"chat_template": "base"}\n');
    const peft = await toyAdapter(base, (i) => 1.5 + 0.1 * i);
    const adapter = join(dir, 'adapter');
    await peft.save(adapter);
    await writeFile(join(adapter, 'tokenizer_config.json'), '{"chat_template": "trained"}\n');
    const out = join(dir, 'merged');
    const files = await mergeAdapterIntoFolder({ model: base, adapter, out, ...TOY });
    expect(files.sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json']);
    expect((await readdir(out)).sort()).toEqual(files);
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8'))).toEqual(CONFIG);
    expect(await readFile(join(out, 'tokenizer_config.json'), 'utf8')).toBe(
      '{"chat_template": "trained"}\n',
    );
    const merged = (await loadCausalLM(out)).model;
    const [want, got] = [await logitsOf(peft.model), await logitsOf(merged)];
    expect(got).not.toEqual(await logitsOf((await loadCausalLM(base)).model));
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });

  it('finds the methods, dispatchers and families in a container, and knows no method by default', async () => {
    const base = await baseFolder();
    const adapter = join(dir, 'adapter');
    await (await toyAdapter(base, () => 2)).save(adapter);
    const toyPlugin: TunekitPlugin = {
      name: 'toy',
      coreRange: `^${CORE_VERSION}`,
      register(c) {
        c.register(TOKENS.PeftMethod, { useValue: toyMethod });
        c.register(TOKENS.LinearDispatcher, { useValue: toyDispatcher });
      },
    };
    const container = createContainer([...corePlugins, toyPlugin]);
    const out = join(dir, 'merged');
    await mergeAdapterIntoFolder({ model: base, adapter, out, container });
    expect(await readdir(out)).toContain('model.safetensors');

    const bare = createContainer(corePlugins);
    const error = await mergeAdapterIntoFolder({
      model: base,
      adapter,
      out,
      container: bare,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `${adapter}: adapter_config.json has peft_type "TOY"; registered methods: none; ` +
        'install the plugin package that provides it and load it (--plugin <package>, or plugins: [<package>] in the config)',
    );
  });

  it('keeps the dtype each weight has in the base checkpoint (bf16 here)', async () => {
    const base = await baseFolder('bf16');
    const peft = await toyAdapter(base, () => 2);
    const adapter = join(dir, 'adapter');
    await peft.save(adapter);
    const out = join(dir, 'merged');
    await mergeAdapterIntoFolder({ model: base, adapter, out, ...TOY });
    const header = await readSafetensorsHeader(join(out, 'model.safetensors'));
    expect(new Set([...header.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['BF16']));
    // a scale of 2 is exact in bf16: the merged model computes what the adapter did
    const merged = (await loadCausalLM(out)).model;
    expect(await logitsOf(merged)).toEqual(await logitsOf(peft.model));
  });

  it('writes every floating-point weight in dtype when one is given, and says so in torch_dtype', async () => {
    const base = await baseFolder('f32');
    const peft = await toyAdapter(base, () => 2);
    const adapter = join(dir, 'adapter');
    await peft.save(adapter);
    const out = join(dir, 'merged');
    await mergeAdapterIntoFolder({ model: base, adapter, out, dtype: 'f16', ...TOY });
    const header = await readSafetensorsHeader(join(out, 'model.safetensors'));
    expect(new Set([...header.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['F16']));
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.torch_dtype).toBe('float16');
  });

  // before: a merge whose weights were not finite (an f16 overflow here) was written silently
  it('refuses to write merged weights that are not finite in their stored dtype', async () => {
    const base = await baseFolder('f16');
    // finite in the f32 adapter, far beyond f16's 65504 once merged
    const adapter = join(dir, 'adapter');
    await (await toyAdapter(base, () => 1e7)).save(adapter);
    const out = join(dir, 'merged');
    const error = await mergeAdapterIntoFolder({ model: base, adapter, out, ...TOY }).catch(
      (e) => e,
    );
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
      ...TOY,
      allowNonfinite: true,
      warn: (m) => warnings.push(m),
    });
    expect(warnings[0]).toMatch(/q_proj\.weight holds \d+ non-finite values .*writing it anyway/);
    expect(await readdir(out)).toContain('model.safetensors');
  });
});
