import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chatml } from '@tunekit/templates';
import type { TrainingRecord } from '@tunekit/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  bundledModel,
  examplesDir,
  readJson,
  runTunekit,
  type TunekitRun,
  tinyRun,
  workDir,
} from './harness.js';

const quickstart = join(examplesDir, 'quickstart.yaml');
const work = await workDir('train');
const out = join(work, 'run');
/** tunekit eval's note on answers cut to the model's positions, alone on stderr. */
const CUT_NOTE =
  /^note: max_new_tokens 64 does not fit beside 4 of 4 prompts in the model's 64 positions; their answers were cut to [\d-]+ tokens\n$/;
let trained: TunekitRun;

beforeAll(async () => {
  // the quickstart cut to 4 steps, with answers longer than its 64 positions leave beside a
  // prompt (eval cuts them, and says so); the tests below read what it wrote
  trained = await runTunekit([
    'train',
    quickstart,
    ...tinyRun(out),
    '--set',
    'seed=7',
    '--set',
    'generation.max_new_tokens=64',
  ]);
}, 240_000);

describe('tunekit train', () => {
  it('trains, evaluates before and after, and says where the adapter and report are', async () => {
    // the evaluations before and after both cut the answers; the note is written once
    expect(trained.stderr).toMatch(CUT_NOTE);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/peft: lora: trainable params: [\d,]+ \|\| all params/);
    expect(trained.stdout).toMatch(/data: 2000 training examples \(messages\), 200 eval examples/);
    expect(trained.stdout).toMatch(/step 4\/4 \| loss [\d.]+/);
    expect(trained.stdout).toMatch(/eval before training \(step 0\): loss [\d.]+ .*exact match/);
    expect(trained.stdout).toMatch(/eval after training \(step 4\): +loss [\d.]+ .*exact match/);
    expect(trained.stdout).toContain('sample generations:');
    expect(trained.stdout).toContain(
      `adapter: ${out} (adapter_config.json, adapter_model.safetensors`,
    );
    expect(trained.stdout).toContain(`report: ${join(out, 'report.html')}`);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(existsSync(join(out, 'metrics.jsonl'))).toBe(true);
  });

  it('saves a PEFT adapter with the chat template and a training record', async () => {
    const adapterConfig = await readJson(join(out, 'adapter_config.json'));
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16 });
    expect(adapterConfig.base_model_name_or_path).toBe('../models/tunekit-tiny-chat');
    const tokenizerConfig = await readJson(join(out, 'tokenizer_config.json'));
    expect(tokenizerConfig.chat_template).toBe(chatml.chatTemplate());
    expect(tokenizerConfig.eos_token).toBe('<|im_end|>');

    const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
    expect(record.global_step).toBe(4);
    expect(record.data_fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(record.template.id).toBe('chatml');
    expect(record.data).toMatchObject({ examples: 2000, eval_examples: 200 });
    // the --set overrides are in the recorded config, beside the file's values and the defaults
    expect(record.config).toMatchObject({ max_steps: 4, seed: 7, learning_rate: 3e-3 });
    expect(record.config.lr_scheduler_type).toBe('linear');
    const { before = {}, after = {} } = record.metrics;
    expect(Object.keys(before)).toContain('eval_exact_match');
    expect(after.eval_loss).toBeLessThan(before.eval_loss);
  });

  it('records its data files with their manifests, which tunekit data lineage prints', async () => {
    const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
    const data = join(examplesDir, 'quickstart/data');
    expect(
      record.data.inputs?.map(({ split, path, manifest }) => [split, path, manifest?.command]),
    ).toEqual([
      [
        'train',
        join(data, 'train.jsonl'),
        'pnpm --filter @tunekit/tiny-chat-scripts quickstart-data',
      ],
      [
        'eval',
        join(data, 'eval.jsonl'),
        'pnpm --filter @tunekit/tiny-chat-scripts quickstart-data',
      ],
    ]);
    const run = await runTunekit(['data', 'lineage', out]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^${out}: trained on ../models/tunekit-tiny-chat, 4 steps, `),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^  train: ${join(data, 'train.jsonl')} \\(sha256 [0-9a-f]{12}\\)$`),
    );
    expect(lines[2]).toMatch(
      /^ {4}2000 records \(messages\), made .* by: pnpm --filter @tunekit\/tiny-chat-scripts quickstart-data$/,
    );
    expect(run.stdout).toContain('seed 3');
    expect(run.stdout).toContain(`  eval: ${join(data, 'eval.jsonl')}`);
  });

  it('refuses to train again into the finished run, before loading the model', async () => {
    const adapter = await readFile(join(out, 'adapter_model.safetensors'));
    const again = await runTunekit(['train', quickstart, ...tinyRun(out)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `error: output_dir: ${out} holds an earlier run (adapter_config.json, adapter_model.safetensors, ` +
        'checkpoint-4, metrics.jsonl, ...); set overwrite_output_dir: true to replace it, ' +
        'resume_from_checkpoint: true to continue it, or choose another output_dir\n',
    );
    expect(again.stdout).not.toContain('model:');
    expect((await readFile(join(out, 'adapter_model.safetensors'))).equals(adapter)).toBe(true);
  });

  it('gives the same scores in tunekit eval as at the end of training', async () => {
    const run = await runTunekit([
      'eval',
      '--model',
      bundledModel,
      '--adapter',
      out,
      '--data',
      join(examplesDir, 'quickstart/data/eval.jsonl'),
      '--json',
    ]);
    // the training's backend (quickstart.yaml's onnx), and its settings, so the same note word for word
    expect(run.stderr).toBe(
      `note: backend onnx, the one the run trained on (its training_record.json); --backend <id> picks another\n${trained.stderr}`,
    );
    expect(run.code).toBe(0);
    const metrics = JSON.parse(run.stdout) as Record<string, number>;
    const after =
      (await readJson<TrainingRecord>(join(out, 'training_record.json'))).metrics.after ?? {};
    expect(metrics.exact_match).toBe(after.eval_exact_match);
    expect(metrics.rougeL).toBe(after.eval_rougeL);
    expect(metrics.loss).toBeCloseTo(after.eval_loss, 6);
    expect(metrics.token_accuracy).toBe(after.eval_token_accuracy);
  }, 120_000);
});

describe('tunekit train config', () => {
  it('--print-config prints the resolved config with defaults and --set values, and trains nothing', async () => {
    const dir = join(work, 'printed');
    const run = await runTunekit([
      'train',
      quickstart,
      '--print-config',
      '--set',
      'learning_rate=1e-4',
      '--set',
      'peft.r=4',
      '--set',
      `output_dir=${dir}`,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const config = parse(run.stdout);
    expect(config).toMatchObject({
      model: '../models/tunekit-tiny-chat',
      backend: 'onnx',
      learning_rate: 1e-4,
      max_steps: 800,
      // defaults of transformers' TrainingArguments and PEFT's LoraConfig
      weight_decay: 0,
      gradient_accumulation_steps: 1,
      adam_beta2: 0.999,
      peft: { method: 'lora', r: 4, lora_alpha: 16, bias: 'none', use_rslora: false },
      generation: { num_samples: 200, max_new_tokens: 8 },
    });
    expect(existsSync(dir)).toBe(false);
  });

  it('names the file and line of unknown keys and bad values', async () => {
    const file = join(work, 'typos.yaml');
    await writeFile(
      file,
      [
        `model: ${bundledModel}`,
        `train: ${join(examplesDir, 'quickstart/data/train.jsonl')}`,
        'lerning_rate: 1.0e-4',
        'peft:',
        '  method: lora',
        '  rank: 4',
        'lr_scheduler_type: sometimes',
        '',
      ].join('\n'),
    );
    const run = await runTunekit(['train', file]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^error: ${file}:3: lerning_rate: unknown key`)),
      expect.stringMatching(new RegExp(`^${file}:6: peft.rank: unknown key`)),
      expect.stringMatching(new RegExp(`^${file}:7: lr_scheduler_type: .*linear`)),
    ]);
  });

  it('lists the registered PEFT methods for an unknown one, and names a bad --set', async () => {
    const file = join(work, 'method.yaml');
    await writeFile(file, `model: ${bundledModel}\ntrain: x.jsonl\npeft:\n  method: lorax\n`);
    const run = await runTunekit(['train', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^error: ${file}:4: peft.method: unknown peft method 'lorax'; registered: .*lora`),
    );
    const set = await runTunekit(['train', quickstart, '--set', 'max_steps=many']);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/^error: --set max_steps=many: max_steps: .*number/);
  });
});
