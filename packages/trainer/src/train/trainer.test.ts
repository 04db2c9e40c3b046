import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReferenceBackend } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { JsonlMetricsCallback } from './callbacks/jsonl-metrics.js';
import {
  countingRows,
  makeBatch,
  plansOf,
  Recorder,
  tempDir,
  testArgs,
  tinyLlama,
  tinyLora,
} from './test-utils.js';
import { Trainer } from './trainer.js';

describe('Trainer', () => {
  it('fine-tunes a LoRA adapter end to end on the reference backend: the loss falls', async () => {
    const { model, peft } = tinyLora({ lora_dropout: 0.1 });
    const rows = countingRows(4, 8);
    const batches = [makeBatch(rows.slice(0, 2), 8), makeBatch(rows.slice(2), 8)];
    const output_dir = await tempDir();
    const recorder = new Recorder();
    const trainer = new Trainer({
      backend: new ReferenceBackend(),
      model,
      peft,
      args: testArgs({
        output_dir,
        learning_rate: 2e-2,
        max_steps: 30,
        lr_scheduler_type: 'constant',
        save_strategy: 'steps',
        save_steps: 15,
        save_total_limit: 1,
        logging_steps: 10,
      }),
      trainData: plansOf(batches),
      callbacks: [recorder, new JsonlMetricsCallback()],
    });
    const out = await trainer.train();
    expect(out.globalStep).toBe(30);
    const first = (recorder.losses[0] + recorder.losses[1]) / 2;
    const last = (recorder.losses[28] + recorder.losses[29]) / 2;
    expect(last).toBeLessThan(first * 0.6);
    expect(out.compiledGraphs).toEqual(['2x8:step']);
    // save_total_limit 1 keeps only the newest; it holds the adapter in PEFT's format
    expect(await readdir(output_dir)).toEqual(
      expect.arrayContaining(['checkpoint-30', 'metrics.jsonl']),
    );
    expect(await readdir(output_dir)).not.toContain('checkpoint-15');
    const files = await readdir(join(output_dir, 'checkpoint-30'));
    expect(files.sort()).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
      'checkpoint_manifest.json',
      'optimizer.safetensors',
      'rng_state.json',
      'scheduler.json',
      'trainer_state.json',
      'training_args.json',
    ]);
    const lines = (await readFile(join(output_dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([10, 20, 30, 30]);
  });

  it('applies weight decay to weights but not to norms and biases', async () => {
    const rows = countingRows(4, 6);
    const plans = plansOf([makeBatch(rows, 6)]);
    const train = async (weight_decay: number) => {
      const model = tinyLlama(5, { attention_bias: true });
      await new Trainer({
        backend: new ReferenceBackend({ precision: 'f64' }),
        model,
        args: testArgs({ learning_rate: 0.1, max_steps: 1, weight_decay }),
        trainData: plans,
      }).train();
      return new Map(model.namedParameters().map(([name, p]) => [name, p.value.toFloat64()]));
    };
    // one step: both runs see the same gradients, so only decay can tell the weights apart (decay
    // moves a weight by lr * 0.5 of itself; the runs' different parameter groups lay out flat chunks
    // differently, which changes the gradient norm's summation order in the last bits)
    const [without, withDecay] = [await train(0), await train(0.5)];
    const differs = (name: string) =>
      (without.get(name) ?? []).some(
        (v, i) =>
          Math.abs(v - (withDecay.get(name)?.[i] ?? Number.NaN)) > 1e-9 * Math.max(1, Math.abs(v)),
      );
    const changed = [...without.keys()].filter(differs).sort();
    const spared = [...without.keys()].filter((name) => !differs(name));
    expect(spared.sort()).toEqual(
      [
        'model.norm.weight',
        ...[0, 1].flatMap((i) => [
          `model.layers.${i}.input_layernorm.weight`,
          `model.layers.${i}.post_attention_layernorm.weight`,
          ...['q', 'k', 'v', 'o'].map((m) => `model.layers.${i}.self_attn.${m}_proj.bias`),
        ]),
      ].sort(),
    );
    expect(changed).toContain('model.layers.0.self_attn.q_proj.weight');
    expect(changed).toContain('lm_head.weight');
  });
});
