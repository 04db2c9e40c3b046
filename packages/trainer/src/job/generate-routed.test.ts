import { mkdtemp, rm } from 'node:fs/promises';
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
import { generateRouted } from './generate-routed.js';
import { generateText } from './generate-text.js';
import { writeTinyModelFolder } from './test-utils.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-generate-routed-'));
const container = createContainer([...corePlugins, lora, prefix, templates, trainer]);
const model = join(work, 'model');
await writeTinyModelFolder(model);

/** Saves an adapter of `method` that is no identity (LoRA's B not zero) under `name`. */
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
  shout: await saveAdapter('shout-adapter', 'lora', {
    r: 2,
    lora_alpha: 64,
    target_modules: ['k_proj', 'up_proj'],
    init_lora_weights: false,
  }),
  words: await saveAdapter('words', 'prefix_tuning', { num_virtual_tokens: 3 }),
};

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const router = {
  config: parseRouterConfig({
    rules: [
      { adapter: 'sums', regex: '\\d\\s*\\+\\s*\\d' },
      { adapter: 'words', keywords: ['spell'] },
      { adapter: 'shout', regex: '^[A-Z]+\\b', case_sensitive: true },
    ],
    default: 'none',
  }),
  dir: work,
};

describe('generateRouted', () => {
  it('answers each prompt with the adapter its rule picks: LoRA and base rows in one batch, a prefix in its own', async () => {
    // the LoRA rows and the base row share a batch, each adapter masked to its own rows
    const prompts = ['1 + 2 =', 'spell cat', 'hello', 'SHOUT it', 'Spell dog'];
    const generation = { max_new_tokens: 4 };
    const routed = await generateRouted({
      container,
      model,
      adapters,
      router,
      prompts,
      generation,
    });
    expect(routed.map((r) => r.route.adapter)).toEqual(['sums', 'words', 'none', 'shout', 'words']);
    expect(routed.map((r) => r.route.by)).toEqual(['rule', 'rule', 'default', 'rule', 'rule']);
    // each row is what that adapter alone (or the base) generates for it
    for (const [i, prompt] of prompts.entries()) {
      const adapter = routed[i].route.adapter;
      const alone = await generateText({
        container,
        model,
        prompt,
        generation,
        adapter: adapter === 'none' ? undefined : adapters[adapter as keyof typeof adapters],
      });
      expect(routed[i].tokens, prompt).toEqual(alone.tokens);
    }
    // and the adapters do differ from the base, so the routes matter
    const base = await generateText({ container, model, prompt: prompts[0], generation });
    expect(routed[0].tokens).not.toEqual(base.tokens);
  });

  it('refuses a router that names an adapter that is not loaded', async () => {
    const bad = {
      config: parseRouterConfig({ rules: [{ adapter: 'nope', regex: 'x' }] }),
      dir: work,
    };
    await expect(
      generateRouted({ container, model, adapters, router: bad, prompts: ['x'] }),
    ).rejects.toThrow(
      "router: rules[0] names adapter 'nope', which is not loaded; loaded: sums, shout, words, none",
    );
  });
});
