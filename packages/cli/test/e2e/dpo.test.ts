import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledModel, examplesDir, train, tunekitJson, workDir } from './harness.js';

// examples/dpo.yaml as it is (its whole run is the point: DPO must lift the held-out rewards
// accuracy above 0.9), then `tunekit eval` of the adapter on the same held-out pairs.
const work = await workDir('dpo');

describe('examples/dpo.yaml', () => {
  it('raises rewards/accuracies on held-out pairs above 0.9, and tunekit eval scores the adapter alike', async () => {
    const { out, run, before, after } = await train(
      join(examplesDir, 'dpo.yaml'),
      join(work, 'dpo'),
    );
    expect(run.stdout).toContain('data: 512 training pairs (preference), 64 eval pairs');
    // the progress log carries TRL's metrics of the loss
    expect(run.stdout).toMatch(/^step 20\/160 \| loss [\d.]+ .*\| rewards\/accuracies [\d.]+/m);

    expect(after['eval_rewards/accuracies']).toBeGreaterThan(0.9);
    expect(after['eval_rewards/accuracies']).toBeGreaterThan(before['eval_rewards/accuracies']);
    expect(after['eval_rewards/margins']).toBeGreaterThan(before['eval_rewards/margins']);
    expect(after.eval_loss).toBeLessThan(before.eval_loss);

    const metrics = await tunekitJson([
      'eval',
      ...['--model', bundledModel, '--adapter', out],
      ...['--data', join(examplesDir, 'dpo/data/eval.jsonl')],
    ]);
    expect(metrics['rewards/accuracies']).toBe(after['eval_rewards/accuracies']);
    expect(metrics.loss).toBeCloseTo(after.eval_loss, 5);
  }, 300_000);
});
