import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ops, ReferenceBackend, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { JsonlMetricsCallback } from './callbacks/jsonl-metrics.js';
import { type ComputeLoss, causalLmLoss } from './causal-lm-loss.js';
import { writeCheckpointManifest } from './checkpoint-manifest.js';
import {
  countingRows,
  makeBatch,
  plansOf,
  Recorder,
  tempDir,
  testArgs,
  tinyLora,
} from './test-utils.js';
import { Trainer } from './trainer.js';
import type { TrainingArgumentsInput } from './training-arguments.js';

const rows = countingRows(10, 8);
// five batches, two shapes, a new order each epoch: the cursor must find its place exactly
const batches = [
  makeBatch(rows.slice(0, 2), 8, [2, 1]),
  makeBatch(rows.slice(2, 4), 6, [1, 3]),
  makeBatch(rows.slice(4, 6), 8, [4, 1]),
  makeBatch(rows.slice(6, 8), 8, [1, 1]),
  makeBatch(rows.slice(8, 10), 6, [2, 2]),
];

/** LoRA with dropout and NEFTune, accumulation over epochs of 5 batches (3 steps each). */
async function run(overrides: TrainingArgumentsInput, stopAt?: number, warnings: string[] = []) {
  const { model, peft } = tinyLora({ lora_dropout: 0.2 });
  const recorder = new Recorder(stopAt);
  const out = await new Trainer({
    backend: new ReferenceBackend(),
    model,
    peft,
    args: testArgs({
      learning_rate: 1e-2,
      max_steps: 7,
      gradient_accumulation_steps: 2,
      warmup_steps: 1,
      weight_decay: 0.01,
      neftune_noise_alpha: 5,
      save_strategy: 'steps',
      save_steps: 2,
      ...overrides,
    }),
    trainData: plansOf(batches, true),
    callbacks: [recorder, new JsonlMetricsCallback()],
    identity: { peft: peft.config() },
    warn: (message) => warnings.push(message),
  }).train();
  return { recorder, out, adapter: peft.stateDict() };
}

describe('resume_from_checkpoint', () => {
  it('continues exactly: the loss curve equals the uninterrupted one', async () => {
    const whole = await run({ output_dir: await tempDir() });
    const output_dir = await tempDir();
    const first = await run({ output_dir }, 4);
    expect(first.out.globalStep).toBe(4);
    expect(await readdir(output_dir)).toContain('checkpoint-4');
    const rest = await run({ output_dir, resume_from_checkpoint: true });
    expect(whole.recorder.losses).toHaveLength(7);
    expect([...first.recorder.losses, ...rest.recorder.losses]).toEqual(whole.recorder.losses);
    for (const [key, t] of whole.adapter)
      expect([...(rest.adapter.get(key)?.toFloat64() ?? [])]).toEqual([...t.toFloat64()]);
    const state = JSON.parse(
      await readFile(join(output_dir, 'checkpoint-4', 'trainer_state.json'), 'utf8'),
    );
    expect(state.data_cursor).toEqual({ epoch: 1, batch_index: 2 });
  });

  it('refuses a checkpoint that holds a fresh adapter', async () => {
    const output_dir = await tempDir();
    await run({ output_dir }, 2);
    // the adapter of checkpoint-2 replaced by an untrained one, as a broken save would leave it
    await tinyLora({ lora_dropout: 0.2 }).peft.save(join(output_dir, 'checkpoint-2'));
    await writeCheckpointManifest(join(output_dir, 'checkpoint-2'));
    await expect(run({ output_dir, resume_from_checkpoint: true })).rejects.toThrow(
      /checkpoint-2 equal freshly initialised ones although the checkpoint records 2 optimizer steps/,
    );
  });

  it('refuses a checkpoint of other settings, naming them', async () => {
    const output_dir = await tempDir();
    await run({ output_dir }, 2);
    const resumed = run({ output_dir, resume_from_checkpoint: true, learning_rate: 2e-2 });
    await expect(resumed).rejects.toThrow(UserError);
    await expect(resumed).rejects.toThrow(/other settings \(learning_rate\)/);
  });
});

describe('resume from a damaged checkpoint', () => {
  /** Flips one byte of `file`, as a bad disk would. */
  async function corrupt(file: string): Promise<void> {
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(file, bytes);
  }

  it('falls back to the previous intact checkpoint, naming the damaged one', async () => {
    const whole = await run({ output_dir: await tempDir() });
    const output_dir = await tempDir();
    await run({ output_dir }, 4);
    await corrupt(join(output_dir, 'checkpoint-4', 'adapter_model.safetensors'));
    const warnings: string[] = [];
    const rest = await run({ output_dir, resume_from_checkpoint: true }, undefined, warnings);
    expect(warnings).toEqual([
      `checkpoint ${join(output_dir, 'checkpoint-4')} is damaged (adapter_model.safetensors does ` +
        'not match its recorded sha256); trying the one before it',
    ]);
    // resumed at step 2: steps 3..7 again, exactly as the uninterrupted run took them
    expect(rest.recorder.losses).toEqual(whole.recorder.losses.slice(2));
    // metrics.jsonl keeps steps 1..2 of the first run and has each later step once
    const lines = (await readFile(join(output_dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    const steps = lines
      .map((line) => JSON.parse(line))
      .filter((e) => 'loss' in e)
      .map((e) => e.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses when no checkpoint is intact', async () => {
    const output_dir = await tempDir();
    await run({ output_dir }, 4);
    await corrupt(join(output_dir, 'checkpoint-4', 'optimizer.safetensors'));
    await corrupt(join(output_dir, 'checkpoint-2', 'trainer_state.json'));
    const resumed = run({ output_dir, resume_from_checkpoint: true });
    await expect(resumed).rejects.toThrow(UserError);
    await expect(resumed).rejects.toThrow(
      /no checkpoint in .* is intact: .*checkpoint-4 \(optimizer\.safetensors does not match/,
    );
  });
});

describe('a NaN loss', () => {
  it('stops the run naming step and batch, with the last good checkpoint intact', async () => {
    const output_dir = await tempDir();
    // batch 2 alone supervises 12 tokens (the others 14), and the loss is NaN there
    const nanBatches = [0, 1, 2, 3].map((i) =>
      makeBatch(rows.slice(2 * i, 2 * i + 2), 8, i === 2 ? [2, 2] : [1, 1]),
    );
    const nanAt12: ComputeLoss = (inputs) =>
      causalLmLoss()(inputs).add(
        ops.where(inputs.numItemsInBatch.equal(12), Number.NaN, inputs.numItemsInBatch.mul(0)),
      );
    const { model, peft } = tinyLora();
    const trainer = new Trainer({
      backend: new ReferenceBackend(),
      model,
      peft,
      args: testArgs({ output_dir, max_steps: 4, save_strategy: 'steps', save_steps: 2 }),
      trainData: plansOf(nanBatches),
      computeLoss: nanAt12,
    });
    const error = await trainer.train().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /the loss is NaN at step 3 \(epoch 0, batch 2\)\. The last good checkpoint is .*checkpoint-2/,
    );
    expect(await readdir(output_dir)).toEqual(['checkpoint-2']);
    const state = JSON.parse(
      await readFile(join(output_dir, 'checkpoint-2', 'trainer_state.json'), 'utf8'),
    );
    expect(state.global_step).toBe(2);
  });
});
