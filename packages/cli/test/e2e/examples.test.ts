import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAdapterFolder } from '@tunekit/core';
import type { TrainingRecord } from '@tunekit/trainer';
import { describe, expect, it } from 'vitest';
import {
  bundledModel,
  examplesDir,
  readJson,
  runTunekit,
  tinyRun,
  tunekitJson,
  tunekitOk,
  workDir,
} from './harness.js';

// Every YAML example in examples/ runs through the real bin, cut to a few steps. (quickstart.yaml
// is run by train.test.ts; custom-trainer, composed in code, by its own package's test.) The runs
// are independent, so the tests run concurrently; each example trains once, for every test that
// reads it.
const work = await workDir('examples');
const trainings = new Map<string, Promise<{ out: string; stdout: string }>>();

/** examples/<name>.yaml trained for 3 steps, evaluated before and after. */
function trained(name: string): Promise<{ out: string; stdout: string }> {
  const started = trainings.get(name) ?? trainExample(name);
  trainings.set(name, started);
  return started;
}

async function trainExample(name: string): Promise<{ out: string; stdout: string }> {
  const out = join(work, name);
  const config = join(examplesDir, `${name}.yaml`);
  const run = await tunekitOk(['train', config, ...tinyRun(out, 3)]);
  expect(run.stdout).toMatch(/eval after training \(step 3\)/);
  return { out, stdout: run.stdout };
}

describe.concurrent('examples', () => {
  it('alpaca-lora: Alpaca records through ChatML into a LoRA adapter on the attention', async () => {
    const { out, stdout } = await trained('alpaca-lora');
    expect(stdout).toContain(
      'data: 64 training examples (alpaca), 8 eval examples, template chatml',
    );
    const adapter = await readJson(join(out, 'adapter_config.json'));
    expect(adapter.peft_type).toBe('LORA');
    expect([adapter.target_modules].flat().sort()).toEqual([
      'k_proj',
      'o_proj',
      'q_proj',
      'v_proj',
    ]);
  }, 180_000);

  it('chat-persona: multi-turn chats, each starting with the persona’s system message', async () => {
    const { out, stdout } = await trained('chat-persona');
    expect(stdout).toContain('data: 96 training examples (messages), 8 eval examples');
    // the report shows the whole eval prompts: the persona comes first in each
    const report = await readFile(join(out, 'report.html'), 'utf8');
    expect(report).toContain('system\nYou are Tiny. You answer in one word.');
    const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
    expect(record.config.system).toMatchObject({
      persona: { text: 'You are Tiny. You answer in one word.' },
    });
  }, 180_000);

  it('full-finetune: no peft section, a whole model folder that tunekit eval scores alike', async () => {
    const { out, stdout } = await trained('full-finetune');
    expect(stdout).toContain('full fine-tuning: every parameter trains');
    expect(stdout).toContain(`model: ${out} (`);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'config.json'))).toBe(true);
    expect(existsSync(join(out, 'adapter_config.json'))).toBe(false);

    const metrics = await tunekitJson([
      'eval',
      ...['--model', out, '--data', join(examplesDir, 'quickstart/data/eval.jsonl')],
    ]);
    const after =
      (await readJson<TrainingRecord>(join(out, 'training_record.json'))).metrics.after ?? {};
    expect(metrics.exact_match).toBe(after.eval_exact_match);
    expect(metrics.loss).toBeCloseTo(after.eval_loss, 6);
  }, 240_000);

  it('qlora: LoRA on a base quantized to NF4 as it loads; eval --adapter quantizes the base alike', async () => {
    const { out, stdout } = await trained('qlora');
    expect(stdout).toContain('base quantized on load: nf4 with double quantization');
    const adapter = await readJson(join(out, 'adapter_config.json'));
    expect(adapter.peft_type).toBe('LORA');
    const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
    expect(record.quantization_config).toMatchObject({
      quant_method: 'bitsandbytes',
      load_in_4bit: true,
      bnb_4bit_quant_type: 'nf4',
      bnb_4bit_use_double_quant: true,
    });

    const metrics = await tunekitJson([
      'eval',
      ...['--model', bundledModel, '--adapter', out],
      ...['--data', join(examplesDir, 'quickstart/data/eval.jsonl')],
    ]);
    expect(metrics.loss).toBeCloseTo(record.metrics.after?.eval_loss ?? Number.NaN, 6);
  }, 240_000);

  it.each([
    ['prefix-tuning', true],
    ['p-tuning-v2', false],
  ])(
    '%s: a key/value prefix in every layer, sampled at eval with the prefix in the KV cache',
    async (name, projection) => {
      const { out, stdout } = await trained(name);
      expect(stdout).toMatch(/eval after training \(step 3\): .*exact match/);
      expect(stdout).toMatch(/\n {2}after +"/); // the samples, generated with the prefix
      const adapter = await readJson(join(out, 'adapter_config.json'));
      expect(adapter).toMatchObject({
        peft_type: 'PREFIX_TUNING',
        num_virtual_tokens: 16,
        prefix_projection: projection,
      });
    },
    180_000,
  );

  it('prompt-tuning: virtual tokens before the input, started from a text, sampled at eval', async () => {
    const { out, stdout } = await trained('prompt-tuning');
    expect(stdout).toMatch(/\n {2}after +"/); // the samples, generated with the virtual tokens
    const adapter = await readJson(join(out, 'adapter_config.json'));
    expect(adapter).toMatchObject({
      peft_type: 'PROMPT_TUNING',
      num_virtual_tokens: 16,
      token_dim: 128,
      prompt_tuning_init: 'TEXT',
    });
    const { tensors } = await readAdapterFolder(out);
    expect([...tensors].map(([key, t]) => [key, t.shape])).toEqual([
      ['prompt_embeddings', [16, 128]],
    ]);
  }, 180_000);

  it('compare: two of the runs above side by side, as a table and an HTML page', async () => {
    const runs = await Promise.all(
      ['alpaca-lora', 'full-finetune'].map(async (name) => (await trained(name)).out),
    );
    const page = join(work, 'compare.html');
    const run = await runTunekit(['compare', ...runs, '--html', page]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`wrote ${page}\n`);
    const [heading, , lora, full] = run.stdout.split('\n');
    expect(heading).toMatch(
      /^run +method +trainable params +saved +steps +train time +peak RSS +eval_loss/,
    );
    expect(lora).toMatch(
      /alpaca-lora +lora +[\d.]+K \(\d\.\d\d%\) +[\d.]+ kB +3 +[\d.]+ s +[\d.]+ (MB|GB) /,
    );
    expect(full).toMatch(/full-finetune +full +[\d.]+[KM] \(100\.00%\) +[\d.]+ MB +3 /);
    expect(await readFile(page, 'utf8')).toContain(`<td>${runs[0]}</td>`);

    const again = await runTunekit(['compare', ...runs, '--html', page]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `error: --html: ${page} already exists; pass --overwrite to replace it\n`,
    );
  }, 240_000); // it waits for the two trainings
});
