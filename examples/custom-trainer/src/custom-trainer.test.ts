import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, GraphBuilder, HostTensor, type TrainerState } from '@tunekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { focalLoss } from './focal-loss.js';
import { TargetLossCallback } from './target-loss-callback.js';
import { trainCustom } from './train-custom.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-custom-trainer-'));
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The focal loss of one row: logits [1, 3, 2], labels [x, 0, -100] (one supervised token). */
async function focal(gamma: number): Promise<number> {
  const b = new GraphBuilder();
  const logits = b.input('logits', [1, 3, 2], 'f32');
  const labels = b.input('labels', [1, 3], 'i32');
  const loss = focalLoss(gamma)({ logits, labels, numItemsInBatch: b.constant(1) });
  const out = await evaluate(b.build({ loss }), {
    logits: HostTensor.from('f32', [1, 3, 2], [2, 0, 1, 0, 0, 0]),
    labels: HostTensor.from('i32', [1, 3], [5, 0, -100]),
  });
  return out.loss.toFloat64()[0];
}

describe('focalLoss', () => {
  it('weighs each token’s cross-entropy by (1 - p)^gamma', async () => {
    // the logits at t = 0 are [2, 0]; they predict label 0 at t = 1: p = e^2 / (e^2 + 1)
    const p = Math.exp(2) / (Math.exp(2) + 1);
    expect(await focal(0)).toBeCloseTo(-Math.log(p), 5);
    expect(await focal(2)).toBeCloseTo((1 - p) ** 2 * -Math.log(p), 5);
  });
});

describe('TargetLossCallback', () => {
  it('stops once the mean of the last steps is below the target', () => {
    const callback = new TargetLossCallback(1, 2);
    const state = (step: number, loss: number) => ({ step, loss }) as TrainerState;
    expect(callback.onStepEnd(state(1, 0.5))).toBeUndefined(); // no full window yet
    expect(callback.onStepEnd(state(2, 2))).toBeUndefined(); // mean 1.25
    expect(callback.onStepEnd(state(3, 0.4))).toBeUndefined(); // mean 1.2
    expect(callback.onStepEnd(state(4, 0.6))).toEqual({ shouldTrainingStop: true }); // mean 0.5
    expect(callback.stoppedAt).toBe(4);
    expect(callback.losses).toEqual([0.5, 2, 0.4, 0.6]);
  });
});

describe('trainCustom', () => {
  it('trains with its own loss and stops through its own callback, next to the stock ones', async () => {
    const outputDir = join(work, 'out');
    const result = await trainCustom({
      outputDir,
      maxSteps: 20,
      targetLoss: Number.POSITIVE_INFINITY, // any loss is below: stop as soon as a window is full
      window: 3,
      numSamples: 4,
    });
    expect(result.stoppedAt).toBe(3);
    expect(result.globalStep).toBe(3);
    expect(result.losses).toHaveLength(3);
    expect(result.before.eval_exact_match).toBeDefined();
    expect(result.after.eval_loss).toBeLessThan(result.before.eval_loss);
    for (const file of [
      'adapter_config.json',
      'adapter_model.safetensors',
      'report.html',
      'training_record.json',
    ])
      expect(existsSync(join(outputDir, file))).toBe(true);
  });
});
