import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  corePlugins,
  createContainer,
  loadCausalLM,
  PeftModel,
  resolveAllOf,
  TOKENS,
} from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as prefix } from '@tunekit/peft-prefix';
import { plugin as templates } from '@tunekit/templates';
import { afterAll, describe, expect, it } from 'vitest';
import { plugin as trainer } from '../plugin.js';
import { parseRouterConfig } from '../router/index.js';
import { evaluateModel } from './evaluate-model.js';
import { writeTinyModelFolder } from './test-utils.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-evaluate-routed-'));
const container = createContainer([...corePlugins, lora, prefix, templates, trainer]);
const model = join(work, 'model');
await writeTinyModelFolder(model);
afterAll(() => rm(work, { recursive: true, force: true }));

/** Saves an adapter of `method` that is no identity (LoRA's B not zero). */
async function saveAdapter(name: string, method: string, config: object): Promise<string> {
  const { model: m } = await loadCausalLM(model, { families: container });
  const methods = resolveAllOf(container, TOKENS.PeftMethod);
  const peft = PeftModel.create(m, methods.find((x) => x.id === method) ?? methods[0], config, {
    dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
    modelConfig: {
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      num_key_value_heads: 1,
    },
    seed: name.length,
  });
  const dir = join(work, name);
  await peft.save(dir);
  return dir;
}

const adapters = {
  sums: await saveAdapter('sums', 'lora', {
    r: 4,
    lora_alpha: 64,
    target_modules: ['q_proj', 'v_proj', 'o_proj'],
    init_lora_weights: false,
  }),
  words: await saveAdapter('words', 'prefix_tuning', { num_virtual_tokens: 3 }),
};

const chat = (user: string, assistant: string) => ({
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
});
const data = join(work, 'eval.jsonl');
await writeFile(
  data,
  [
    chat('What is 2 + 3?', '5'),
    chat('Spell cat.', 'c a t'),
    chat('Hello!', 'Hi.'),
    chat('What is 4 + 4?', '8'),
  ]
    .map((r) => JSON.stringify(r))
    .join('\n'),
);

const common = { container, model, data, backend: 'reference', numSamples: 8, maxNewTokens: 3 };
const routerOf = (rules: object[], fallback: string) => ({
  config: parseRouterConfig({ rules, default: fallback }),
  dir: work,
});

describe('evaluateModel with a router', () => {
  it('answers and scores each example with the adapter its user message routes to', async () => {
    const router = routerOf(
      [
        { adapter: 'sums', regex: '\\d\\s*\\+\\s*\\d' },
        { adapter: 'words', keywords: ['spell'] },
      ],
      'none',
    );
    const routed = await evaluateModel({ ...common, adapters, router });
    expect(routed.routes).toEqual({ sums: 2, words: 1, none: 1 });
    const alone = {
      sums: await evaluateModel({ ...common, adapter: adapters.sums }),
      words: await evaluateModel({ ...common, adapter: adapters.words }),
      none: await evaluateModel(common),
    };
    const expected = ['sums', 'words', 'none', 'sums'] as const;
    expect(routed.samples.map((s) => s.where)).toEqual(alone.none.samples.map((s) => s.where));
    routed.samples.forEach((sample, i) => {
      expect(sample.prediction).toBe(alone[expected[i]].samples[i].prediction);
    });
    // the adapters answer differently, so the routing is seen in the answers
    expect(alone.sums.samples.map((s) => s.prediction)).not.toEqual(
      alone.none.samples.map((s) => s.prediction),
    );
    expect(routed.metrics.loss).not.toBeCloseTo(alone.none.metrics.loss, 4);
    expect(routed.metrics.loss).not.toBeCloseTo(alone.sums.metrics.loss, 4);
  }, 120_000);

  it('scores as the adapter alone when every example takes it', async () => {
    const routed = await evaluateModel({ ...common, adapters, router: routerOf([], 'sums') });
    const alone = await evaluateModel({ ...common, adapter: adapters.sums });
    expect(routed.routes).toEqual({ sums: 4 });
    expect(routed.samples.map((s) => s.prediction)).toEqual(alone.samples.map((s) => s.prediction));
    for (const [name, value] of Object.entries(alone.metrics))
      expect(routed.metrics[name], name).toBeCloseTo(value, 5);
  }, 120_000);
});
