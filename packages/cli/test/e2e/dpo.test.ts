import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingRecord } from '@tunekit/trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { readJson } from './read-json.js';
import { bundledModel, examplesDir } from './repo-paths.js';
import { runTunekit } from './run-tunekit.js';

// examples/dpo.yaml as it is (its whole run is the point: DPO must lift the held-out rewards
// accuracy above 0.9), then `tunekit eval` of the adapter on the same held-out pairs.
const work = await mkdtemp(join(tmpdir(), 'tunekit-cli-dpo-'));
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('examples/dpo.yaml', () => {
  it('raises rewards/accuracies on held-out pairs above 0.9, and tunekit eval scores the adapter alike', async () => {
    const out = join(work, 'dpo');
    const run = await runTunekit([
      'train',
      join(examplesDir, 'dpo.yaml'),
      '--set',
      `output_dir=${out}`,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('data: 512 training pairs (preference), 64 eval pairs');
    // the progress log carries TRL's metrics of the loss
    expect(run.stdout).toMatch(/^step 20\/160 \| loss [\d.]+ .*\| rewards\/accuracies [\d.]+/m);

    const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
    const before = record.metrics.before ?? {};
    const after = record.metrics.after ?? {};
    expect(after['eval_rewards/accuracies']).toBeGreaterThan(0.9);
    expect(after['eval_rewards/accuracies']).toBeGreaterThan(before['eval_rewards/accuracies']);
    expect(after['eval_rewards/margins']).toBeGreaterThan(before['eval_rewards/margins']);
    expect(after.eval_loss).toBeLessThan(before.eval_loss);

    const evaluated = await runTunekit([
      'eval',
      '--model',
      bundledModel,
      '--adapter',
      out,
      '--data',
      join(examplesDir, 'dpo/data/eval.jsonl'),
      '--json',
    ]);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);
    const metrics = JSON.parse(evaluated.stdout) as Record<string, number>;
    expect(metrics['rewards/accuracies']).toBe(after['eval_rewards/accuracies']);
    expect(metrics.loss).toBeCloseTo(after.eval_loss, 5);
  }, 300_000);
});
