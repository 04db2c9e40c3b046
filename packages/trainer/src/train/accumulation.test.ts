import { type CausalLM, ReferenceBackend } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { makeBatch, plansOf, Recorder, testArgs, tinyLlama } from './test-utils.js';
import { Trainer } from './trainer.js';

/** Full fine-tuning in f64 on `batches`; the losses and the final weights. */
async function train(batches: ReturnType<typeof makeBatch>[], accumulation: number) {
  const model: CausalLM = tinyLlama(3);
  const recorder = new Recorder();
  await new Trainer({
    backend: new ReferenceBackend({ precision: 'f64' }),
    model,
    args: testArgs({
      learning_rate: 1e-2,
      max_steps: 3,
      gradient_accumulation_steps: accumulation,
      weight_decay: 0.01,
      max_grad_norm: 0.5,
      warmup_steps: 1,
    }),
    trainData: plansOf(batches),
    callbacks: [recorder],
  }).train();
  return { losses: recorder.losses, weights: new Map(model.namedParameters()) };
}

describe('gradient accumulation', () => {
  it('two micro-batches of 2 give the same update as one batch of 4 (f64)', async () => {
    const rows = [
      [1, 2, 3, 4, 5, 6, 7, 8],
      [9, 10, 11, 12, 13],
      [2, 4, 6, 8, 10, 12, 14, 16],
      [20, 19, 18, 17, 16, 15],
      [3, 1, 4, 1, 5, 9, 2, 6],
      [5, 3, 5, 8, 9, 7],
      [11, 12, 13, 14, 15, 16, 17, 18],
      [7, 7, 7, 1, 2, 3, 4],
    ];
    // prompts of different lengths: the micro-batches have different numbers of supervised
    // tokens, so averaging each micro-batch on its own would weight them wrongly
    const from = [1, 3, 2, 4, 1, 5, 2, 3];
    const whole = [0, 4].map((i) => makeBatch(rows.slice(i, i + 4), 8, from.slice(i, i + 4)));
    const halves = [0, 2, 4, 6].map((i) =>
      makeBatch(rows.slice(i, i + 2), 8, from.slice(i, i + 2)),
    );
    const a = await train(whole, 1);
    const b = await train(halves, 2);
    expect(a.losses).toHaveLength(3);
    for (const [i, loss] of b.losses.entries()) expect(loss).toBeCloseTo(a.losses[i], 12);
    let maxDiff = 0;
    for (const [name, p] of a.weights) {
      const x = p.value.toFloat64();
      const y = (b.weights.get(name) ?? p).value.toFloat64();
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
    }
    expect(maxDiff).toBeLessThan(1e-12);
    // and the update is not trivially zero: the weights moved
    const before = new Map(tinyLlama(3).namedParameters());
    const moved = [...a.weights].some(([name, p]) =>
      p.value.toFloat64().some((v, i) => v !== (before.get(name) ?? p).value.toFloat64()[i]),
    );
    expect(moved).toBe(true);
  });
});
