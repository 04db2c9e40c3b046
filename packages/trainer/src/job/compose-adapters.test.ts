import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  corePlugins,
  createContainer,
  evaluate,
  loadCausalLM,
  mergeAdapterIntoFolder,
  PeftModel,
  readAdapterFolder,
  resolveAllOf,
  TOKENS,
  type TrainerState,
  traceLogits,
} from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as prefix } from '@tunekit/peft-prefix';
import { plugin as templates } from '@tunekit/templates';
import { afterAll, describe, expect, it } from 'vitest';
import { plugin as trainer } from '../plugin.js';
import { loadInferenceModel } from './inference-model.js';
import { writeTinyModelFolder } from './test-utils.js';
import { parseTrainConfig } from './train-config.js';
import { trainFromConfig } from './train-from-config.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-compose-'));
const container = createContainer([...corePlugins, lora, prefix, templates, trainer]);
const model = join(work, 'model');
await writeTinyModelFolder(model);
const lines = ['1+1?|2', '2+2?|4', '3+3?|6', '4+4?|8'].map((l) => {
  const [q, a] = l.split('|');
  return JSON.stringify({
    messages: [
      { role: 'user', content: q },
      { role: 'assistant', content: a },
    ],
  });
});
await writeFile(join(work, 'train.jsonl'), `${lines.join('\n')}\n`);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Trains `extra` on the tiny model for 6 steps; returns the logged losses. */
async function train(out: string, extra: Record<string, unknown>): Promise<number[]> {
  const config = parseTrainConfig(
    {
      model,
      backend: 'reference',
      train: 'train.jsonl',
      template: 'chatml',
      max_length: 24,
      per_device_train_batch_size: 4,
      output_dir: out,
      max_steps: 6,
      learning_rate: 3e-2,
      logging_steps: 1,
      save_strategy: 'no',
      disable_tqdm: true,
      eval_on_start: false,
      ...extra,
    },
    container,
  );
  const losses: number[] = [];
  await trainFromConfig(config, {
    container,
    configDir: work,
    callbacks: [
      {
        id: 'losses',
        onLog: (_: TrainerState, logs: Record<string, number>) => {
          if (logs.loss !== undefined) losses.push(logs.loss);
        },
      },
    ],
  });
  return losses;
}

/** The logits of `rows` through the model with the adapters saved in `dir`, all active. */
async function logitsOf(dir: string): Promise<number[]> {
  const { model: m } = await loadInferenceModel(container, { model, adapter: dir });
  const traced = traceLogits(m, { batch: 1, seq: 4 });
  return (await evaluate(traced.graph, traced.feeds([[5, 6, 7, 8]]))).logits.toArray();
}

describe('LoRA and prefix tuning on one model', () => {
  it('trains both together, saves them as two PEFT adapters and loads them as two', async () => {
    const out = join(work, 'both');
    const losses = await train(out, {
      peft: { method: 'lora', r: 2, target_modules: ['q_proj', 'v_proj'] },
      adapters: { task: { method: 'prefix_tuning', num_virtual_tokens: 3 } },
    });
    expect(losses).toHaveLength(6);
    expect(Math.min(...losses.slice(3))).toBeLessThan(losses[0]);

    // PEFT's layout: 'default' at the root, the other in a folder named after it
    const root = await readAdapterFolder(out);
    const task = await readAdapterFolder(join(out, 'task'));
    expect(root.config.peft_type).toBe('LORA');
    expect(task.config.peft_type).toBe('PREFIX_TUNING');
    expect([...task.tensors.keys()]).toEqual(['prompt_embeddings']);
    // both trained: LoRA's B starts at zero, the prefix from its seeded init
    const loraB = [...root.tensors].find(([k]) => k.endsWith('lora_B.weight'))?.[1];
    expect(loraB?.toArray().some((v) => v !== 0)).toBe(true);

    // loaded as two, both active: the composition differs from either adapter alone
    const { model: loaded } = await loadInferenceModel(container, { model, adapter: out });
    expect(loaded.namedParameters().some(([n]) => n.includes('prefix_encoder.task'))).toBe(true);
    const both = await logitsOf(out);
    const loraOnly = await (async () => {
      const { model: m } = await loadCausalLM(model, { families: container });
      await PeftModel.fromPretrained(m, out, {
        methods: resolveAllOf(container, TOKENS.PeftMethod),
        dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
      });
      const traced = traceLogits(m, { batch: 1, seq: 4 });
      return (await evaluate(traced.graph, traced.feeds([[5, 6, 7, 8]]))).logits.toArray();
    })();
    expect(both).not.toEqual(loraOnly);
    expect(both.every(Number.isFinite)).toBe(true);

    // merging would drop the prefix, which has no weight to fold in: refused, naming it
    await expect(
      mergeAdapterIntoFolder({ model, adapter: out, out: join(work, 'merged'), container }),
    ).rejects.toThrow("adapter 'task' (PREFIX_TUNING) cannot be merged");
  });

  it('keeps a loaded adapter frozen while a new one trains beside it, and saves it unchanged', async () => {
    const first = join(work, 'prefix-only');
    await train(first, { peft: { method: 'prefix_tuning', num_virtual_tokens: 3 } });
    const before = await readAdapterFolder(first);

    const out = join(work, 'lora-on-frozen-prefix');
    const losses = await train(out, {
      peft: { method: 'lora', r: 2, target_modules: ['q_proj', 'v_proj'] },
      adapters: { prefix: { path: 'prefix-only' } },
    });
    expect(Math.min(...losses.slice(3))).toBeLessThan(losses[0]);
    const after = await readAdapterFolder(join(out, 'prefix'));
    expect(after.tensors.get('prompt_embeddings')?.toArray()).toEqual(
      before.tensors.get('prompt_embeddings')?.toArray(),
    );
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
  });

  it('refuses adapters: without peft:, a reserved name and two prefix-family adapters', async () => {
    const base = { model, train: 'train.jsonl', output_dir: join(work, 'x') };
    expect(() =>
      parseTrainConfig({ ...base, adapters: { a: { method: 'lora' } } }, container),
    ).toThrow(/adapters: .*add a peft: section/);
    expect(() =>
      parseTrainConfig(
        { ...base, peft: { method: 'lora' }, adapters: { 'checkpoint-5': { method: 'lora' } } },
        container,
      ),
    ).toThrow(/checkpoint-<step> names a checkpoint folder/);
    await expect(
      train(join(work, 'two-prefixes'), {
        peft: { method: 'prefix_tuning', num_virtual_tokens: 2 },
        adapters: { other: { method: 'prompt_tuning', num_virtual_tokens: 2 } },
      }),
    ).rejects.toThrow(/both prompt-learning adapters/);
  });
});
