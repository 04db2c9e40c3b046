import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledModel, examplesDir, train, tunekitJson, workDir } from './harness.js';

// examples/kto.yaml cut to 16 steps (its first epoch; CI time is short): KTO must widen the
// held-out rewards/margins, then `tunekit eval` scores the adapter on the same examples alike.
const work = await workDir('kto');

describe('examples/kto.yaml', () => {
  it('widens rewards/margins on held-out examples, and tunekit eval scores the adapter alike', async () => {
    const { out, run, before, after } = await train(
      join(examplesDir, 'kto.yaml'),
      join(work, 'kto'),
      ['max_steps=16', 'warmup_steps=2'],
    );
    expect(run.stdout).toContain(
      'data: 256 training examples (unpaired_preference), 64 eval examples',
    );
    // the progress log carries TRL's KTO metrics
    expect(run.stdout).toMatch(
      /^step 8\/16 \| loss [\d.]+ .*\| rewards\/margins [-\d.]+ \| kl [\d.]+ \| count\/desirable \d+/m,
    );

    expect(before['eval_rewards/margins']).toBe(0);
    expect(after['eval_rewards/margins']).toBeGreaterThan(1);
    expect(after.eval_loss).toBeLessThan(before.eval_loss);
    expect(after['eval_count/desirable']).toBe(32);

    const metrics = await tunekitJson([
      'eval',
      ...['--model', bundledModel, '--adapter', out],
      ...['--data', join(examplesDir, 'kto/data/eval.jsonl')],
    ]);
    expect(metrics['rewards/margins']).toBeCloseTo(after['eval_rewards/margins'], 4);
    expect(metrics.loss).toBeCloseTo(after.eval_loss, 5);
  }, 300_000);
});
