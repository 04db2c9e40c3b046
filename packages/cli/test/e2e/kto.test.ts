import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingRecord } from '@tunekit/trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { readJson } from './read-json.js';
import { bundledModel, examplesDir } from './repo-paths.js';
import { runTunekit } from './run-tunekit.js';

// examples/kto.yaml cut to 16 steps (its first epoch; CI time is short): KTO must widen the
// held-out rewards/margins, then `tunekit eval` scores the adapter on the same examples alike.
const work = await mkdtemp(join(tmpdir(), 'tunekit-cli-kto-'));
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('examples/kto.yaml', () => {
  it('widens rewards/margins on held-out examples, and tunekit eval scores the adapter alike', async () => {
    const out = join(work, 'kto');
    const run = await runTunekit(
      ['train', join(examplesDir, 'kto.yaml')].concat(
        ...[`output_dir=${out}`, 'max_steps=16', 'warmup_steps=2'].map((s) => ['--set', s]),
      ),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'data: 256 training examples (unpaired_preference), 64 eval examples',
    );
    // the progress log carries TRL's KTO metrics
    expect(run.stdout).toMatch(
      /^step 8\/16 \| loss [\d.]+ .*\| rewards\/margins [-\d.]+ \| kl [\d.]+ \| count\/desirable \d+/m,
    );

    const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
    const before = record.metrics.before ?? {};
    const after = record.metrics.after ?? {};
    expect(before['eval_rewards/margins']).toBe(0);
    expect(after['eval_rewards/margins']).toBeGreaterThan(1);
    expect(after.eval_loss).toBeLessThan(before.eval_loss);
    expect(after['eval_count/desirable']).toBe(32);

    const evaluated = await runTunekit([
      'eval',
      '--model',
      bundledModel,
      '--adapter',
      out,
      '--data',
      join(examplesDir, 'kto/data/eval.jsonl'),
      '--json',
    ]);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);
    const metrics = JSON.parse(evaluated.stdout) as Record<string, number>;
    expect(metrics['rewards/margins']).toBeCloseTo(after['eval_rewards/margins'], 4);
    expect(metrics.loss).toBeCloseTo(after.eval_loss, 5);
  }, 300_000);
});
