import { readFile } from 'node:fs/promises';
import { GraphBuilder, HostTensor, ReferenceBackend } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import type { DpoSettings } from './dpo-config.js';
import { dpoPairLosses } from './dpo-loss.js';

interface GoldenCase {
  readonly loss_type: DpoSettings['loss_type'];
  readonly beta: number;
  readonly label_smoothing: number;
  readonly reference_free: boolean;
  readonly losses: number[];
  readonly chosen_rewards: number[];
  readonly rejected_rewards: number[];
}

// scripts/golden_dpo.py: TRL 0.28's DPOTrainer.dpo_loss in torch, from fixed log-probs
const golden = JSON.parse(
  await readFile(new URL('../../test/fixtures/dpo-golden.json', import.meta.url), 'utf8'),
) as {
  logps: Record<'chosen' | 'rejected' | 'ref_chosen' | 'ref_rejected', number[]>;
  cases: GoldenCase[];
};

/** dpoPairLosses on the golden log-probs, run in f64 on the reference backend. */
async function run(c: GoldenCase) {
  const b = new GraphBuilder();
  const pairs = golden.logps.chosen.length;
  const input = (name: string) => b.input(name, [pairs], 'f32');
  const terms = dpoPairLosses(
    { chosen: input('chosen'), rejected: input('rejected') },
    { chosen: input('ref_chosen'), rejected: input('ref_rejected') },
    c,
  );
  const backend = new ReferenceBackend({ precision: 'f64' });
  const executable = backend.compile(
    b.build({
      losses: terms.losses,
      chosen_rewards: terms.chosenRewards,
      rejected_rewards: terms.rejectedRewards,
    }),
  );
  const feeds = Object.fromEntries(
    Object.entries(golden.logps).map(([name, v]) => [
      name,
      new HostTensor('f32', [pairs], Float64Array.from(v)),
    ]),
  );
  const out = await executable.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.toArray()]));
}

describe('DPO losses against TRL (golden values from torch)', () => {
  it('covers every loss type, with label smoothing and reference-free', () => {
    const kinds = new Set(golden.cases.map((c) => c.loss_type));
    expect([...kinds].sort()).toEqual(['hinge', 'ipo', 'robust', 'sigmoid']);
    expect(golden.cases.some((c) => c.label_smoothing > 0 && c.loss_type === 'robust')).toBe(true);
    expect(golden.cases.some((c) => c.reference_free)).toBe(true);
  });

  for (const c of golden.cases) {
    const name = `${c.loss_type}, beta ${c.beta}, label_smoothing ${c.label_smoothing}${c.reference_free ? ', reference_free' : ''}`;
    it(name, async () => {
      const out = await run(c);
      const close = (v: number[]) => v.map((x) => expect.closeTo(x, 10));
      expect(out.losses).toEqual(close(c.losses));
      expect(out.chosen_rewards).toEqual(close(c.chosen_rewards));
      expect(out.rejected_rewards).toEqual(close(c.rejected_rewards));
    });
  }
});
