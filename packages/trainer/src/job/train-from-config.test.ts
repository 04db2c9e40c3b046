import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BackendOptions,
  HostTensor,
  loadWeights,
  readHfConfig,
  TOKENS,
  type TrainerState,
  UserError,
  writeModelFolder,
} from '@tunekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { causalLmLoss } from '../train/index.js';
import { jobContainer, writeTinyModelFolder } from './test-utils.js';
import { parseTrainConfig } from './train-config.js';
import { trainFromConfig } from './train-from-config.js';
import { readTrainingRecord } from './training-record.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-train-from-config-'));
const container = jobContainer();

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const chat = (q: string, a: string) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: q },
      { role: 'assistant', content: a },
    ],
  });

describe('trainFromConfig', () => {
  it('trains a LoRA adapter from a config object and returns what it saved and measured', async () => {
    const jobDir = join(work, 'job');
    await writeTinyModelFolder(join(jobDir, 'model'));
    const lines = ['1+1?|2', '2+2?|4', '3+3?|6', '4+4?|8'].map((l) =>
      chat(...(l.split('|') as [string, string])),
    );
    await writeFile(join(jobDir, 'train.jsonl'), `${lines.join('\n')}\n`);
    await writeFile(join(jobDir, 'eval.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    const config = parseTrainConfig(
      {
        model: 'model',
        backend: 'reference',
        // recorded as written when the caller names no others (the container already has them)
        plugins: ['tunekit-plugin-x'],
        train: 'train.jsonl',
        eval: 'eval.jsonl',
        template: 'chatml',
        max_length: 32,
        per_device_train_batch_size: 2,
        peft: { method: 'lora', r: 2, target_modules: ['q_proj', 'v_proj'] },
        output_dir: join(work, 'out'),
        max_steps: 2,
        learning_rate: 1e-2,
        save_strategy: 'no',
        disable_tqdm: true,
        generation: { num_samples: 1, max_new_tokens: 2 },
      },
      container,
    );
    const printed: string[] = [];
    const steps: number[] = [];
    let losses = 0;
    const result = await trainFromConfig(config, {
      container,
      configDir: jobDir,
      print: (line) => printed.push(line),
      callbacks: [{ id: 'steps', onStepEnd: (state: TrainerState) => void steps.push(state.step) }],
      computeLoss: (inputs) => {
        losses++;
        return causalLmLoss()(inputs);
      },
    });
    expect(result.outputDir).toBe(join(work, 'out'));
    expect(result.globalStep).toBe(2);
    expect(steps).toEqual([1, 2]);
    expect(losses).toBeGreaterThan(0);
    expect(result.files).toEqual(
      expect.arrayContaining([
        'adapter_config.json',
        'adapter_model.safetensors',
        'training_record.json',
      ]),
    );
    for (const file of result.files) expect(existsSync(join(result.outputDir, file))).toBe(true);
    expect(result.before?.step).toBe(0);
    expect(result.after?.step).toBe(2);
    expect(result.metrics.before?.eval_loss).toBe(result.before?.metrics.eval_loss);
    expect(result.metrics.train.train_loss).toBeGreaterThan(0);
    const record = await readTrainingRecord(result.outputDir);
    expect(record?.global_step).toBe(2);
    expect(record?.metrics.after).toEqual(result.metrics.after);
    expect(record?.plugins).toEqual(['tunekit-plugin-x']);
    // the counts `peft:` printed, and this process's peak memory, for tunekit compare
    const [, trainable, all] = /trainable params: ([\d,]+) \|\| all params: ([\d,]+)/
      .exec(printed.join('\n'))
      ?.map((n) => Number(n.replaceAll(',', ''))) ?? [0, 0, 0];
    expect(record?.parameters).toEqual({ trainable, all });
    expect(trainable).toBeGreaterThan(0);
    expect(record?.peak_rss_bytes).toBeGreaterThan(10_000_000);
    expect(printed[0]).toMatch(/^model: .*model \(llama\) on backend reference$/);
    expect(printed).toContainEqual(
      expect.stringMatching(/^eval before training \(step 0\): loss /),
    );
  });
});

describe('trainFromConfig backend_cache_dir', () => {
  it('hands the backend cache folder, or false, to the backend factory', async () => {
    const seen: (BackendOptions | undefined)[] = [];
    const run = container.createChildContainer();
    run.register(TOKENS.BackendFactory, {
      useValue: {
        id: 'spy',
        priority: 0,
        isAvailable: () => true,
        create: (opts) => {
          seen.push(opts);
          throw new UserError('spy backend: stop here');
        },
      },
    });
    for (const backend_cache_dir of [false, 'caches', undefined]) {
      const raw = { model: 'absent', backend: 'spy', train: 'absent.jsonl', backend_cache_dir };
      const config = parseTrainConfig({ ...raw, output_dir: join(work, 'spy-out') }, run);
      await expect(trainFromConfig(config, { container: run, configDir: work })).rejects.toThrow(
        'spy backend: stop here',
      );
    }
    // a backend without an options schema gets none: its options are the empty ones
    expect(seen).toEqual(
      [false, 'caches', undefined].map((cacheDir) => ({ cacheDir, backendOptions: {} })),
    );
  });
});

// before: training started on a NaN weight and blamed the learning rate at step 1
describe('trainFromConfig on weights holding NaN', () => {
  it('stops before training unless allow_nonfinite, which warns and goes on', async () => {
    const model = join(work, 'nan-llama');
    await writeTinyModelFolder(model);
    const name = 'model.norm.weight';
    const weights = await loadWeights(model);
    weights.set(name, HostTensor.from('f32', [16], new Array(16).fill(Number.NaN)));
    await writeModelFolder(model, { config: await readHfConfig(model), weights });
    const run = async (allow: boolean) => {
      const config = parseTrainConfig(
        {
          model,
          backend: 'reference',
          train: 'absent.jsonl',
          output_dir: join(work, 'nan-out'),
          allow_nonfinite: allow,
        },
        container,
      );
      const warnings: string[] = [];
      const error = await trainFromConfig(config, {
        configDir: work,
        configFile: join(work, 'train.yaml'),
        container,
        warn: (line) => warnings.push(line),
      }).catch((e: unknown) => e);
      return { error: error as Error, warnings };
    };
    const what = `${join(model, 'model.safetensors')}: tensor ${name} holds 16 non-finite values (NaN/Inf)`;

    const refused = await run(false);
    expect(refused.error).toBeInstanceOf(UserError);
    expect(refused.error.message).toContain(`${what}; pass --allow-nonfinite`);

    const allowed = await run(true);
    expect(allowed.warnings).toEqual([`warning: ${what}; loading it anyway (--allow-nonfinite)`]);
    // it went on to the data, which this test leaves out
    expect(allowed.error.message).toContain('absent.jsonl');
  });
});
