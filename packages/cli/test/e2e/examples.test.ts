import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAdapterFolder } from '@tunekit/core';
import type { TrainingRecord } from '@tunekit/trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { readJson } from './read-json.js';
import { examplesDir, tinyRun } from './repo-paths.js';
import { runTunekit } from './run-tunekit.js';

// Every YAML example in examples/ runs through the real bin, cut to a few steps. (quickstart.yaml
// is run by train.test.ts; custom-trainer, composed in code, by its own package's test.)
const work = await mkdtemp(join(tmpdir(), 'tunekit-cli-examples-'));
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function trainExample(name: string): Promise<{ out: string; stdout: string }> {
  const out = join(work, name);
  const run = await runTunekit(['train', join(examplesDir, `${name}.yaml`), ...tinyRun(out, 3)]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/eval after training \(step 3\)/);
  return { out, stdout: run.stdout };
}

describe('examples', () => {
  it('alpaca-lora: Alpaca records through ChatML into a LoRA adapter on the attention', async () => {
    const { out, stdout } = await trainExample('alpaca-lora');
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
    const { out, stdout } = await trainExample('chat-persona');
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
    const { out, stdout } = await trainExample('full-finetune');
    expect(stdout).toContain('full fine-tuning: every parameter trains');
    expect(stdout).toContain(`model: ${out} (`);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'config.json'))).toBe(true);
    expect(existsSync(join(out, 'adapter_config.json'))).toBe(false);

    const run = await runTunekit([
      'eval',
      '--model',
      out,
      '--data',
      join(examplesDir, 'quickstart/data/eval.jsonl'),
      '--json',
    ]);
    expect(run.code).toBe(0);
    const metrics = JSON.parse(run.stdout) as Record<string, number>;
    const after =
      (await readJson<TrainingRecord>(join(out, 'training_record.json'))).metrics.after ?? {};
    expect(metrics.exact_match).toBe(after.eval_exact_match);
    expect(metrics.loss).toBeCloseTo(after.eval_loss, 6);
  }, 240_000);

  it('qlora: LoRA on a base quantized to NF4 as it loads; eval --adapter quantizes the base alike', async () => {
    const { out, stdout } = await trainExample('qlora');
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

    const run = await runTunekit([
      'eval',
      '--model',
      join(examplesDir, '../models/tunekit-tiny-chat'),
      '--adapter',
      out,
      '--data',
      join(examplesDir, 'quickstart/data/eval.jsonl'),
      '--json',
    ]);
    expect(run.code).toBe(0);
    const metrics = JSON.parse(run.stdout) as Record<string, number>;
    expect(metrics.loss).toBeCloseTo(record.metrics.after?.eval_loss ?? Number.NaN, 6);
  }, 240_000);

  it.each([
    ['prefix-tuning', true],
    ['p-tuning-v2', false],
  ])(
    '%s: a key/value prefix in every layer, sampled at eval with the prefix in the KV cache',
    async (name, projection) => {
      const { out, stdout } = await trainExample(name);
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
    const { out, stdout } = await trainExample('prompt-tuning');
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

  // reads the runs the tests above wrote (a file's tests run in order)
  it('compare: the runs above side by side, as a table and an HTML page', async () => {
    const runs = ['alpaca-lora', 'full-finetune'].map((name) => join(work, name));
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
  }, 60_000);
});
