import { readFile } from 'node:fs/promises';
import { GraphBuilder, HostTensor, ReferenceBackend } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import type { KtoSettings } from './kto-config.js';
import { ktoLogs, ktoTerms } from './kto-loss.js';

interface GoldenCase {
  readonly loss_type: KtoSettings['loss_type'];
  readonly beta: number;
  readonly desirable_weight: number;
  readonly undesirable_weight: number;
  readonly kl_set: 'kl_above_zero' | 'kl_below_zero';
  readonly losses: number[];
  readonly loss: number;
  readonly rewards: number[];
  readonly kl: number;
}

// scripts/golden_dpo.py: TRL 0.24's KTOTrainer.kto_loss in torch, from fixed log-probs
const golden = JSON.parse(
  await readFile(new URL('../../test/fixtures/kto-golden.json', import.meta.url), 'utf8'),
) as {
  label: boolean[];
  logps: Record<string, number[]>;
  cases: GoldenCase[];
};

/** ktoTerms on the golden log-probs, and the mean loss, run in f64 on the reference backend. */
async function run(c: GoldenCase) {
  const b = new GraphBuilder();
  const n = golden.label.length;
  const input = (name: string) => b.input(name, [n], 'f32');
  const terms = ktoTerms(
    { completion: input('policy'), kl: input(c.kl_set) },
    { completion: input('reference'), kl: input('reference_kl') },
    input('desirable'),
    input('real'),
    c,
  );
  const executable = new ReferenceBackend({ precision: 'f64' }).compile(
    b.build({
      losses: terms.losses,
      loss: terms.losses.sum().div(n),
      rewards: terms.rewards,
      kl: terms.kl,
    }),
  );
  const vectors = {
    ...golden.logps,
    desirable: golden.label.map(Number),
    real: golden.label.map(() => 1),
  };
  const feeds = Object.fromEntries(
    Object.entries(vectors).map(([name, v]) => [
      name,
      new HostTensor('f32', [n], Float64Array.from(v)),
    ]),
  );
  const out = await executable.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.toArray()]));
}

describe('KTO losses against TRL (golden values from torch)', () => {
  it('covers both loss types, weights, and a KL estimate above and below zero', () => {
    const kinds = new Set(golden.cases.map((c) => c.loss_type));
    expect([...kinds].sort()).toEqual(['apo_zero_unpaired', 'kto']);
    expect(golden.cases.some((c) => c.desirable_weight !== c.undesirable_weight)).toBe(true);
    expect(golden.cases.filter((c) => c.loss_type === 'kto').map((c) => c.kl > 0)).toContain(false);
    expect(golden.cases.filter((c) => c.loss_type === 'kto').map((c) => c.kl > 0)).toContain(true);
  });

  for (const c of golden.cases) {
    const name = `${c.loss_type}, beta ${c.beta}, weights ${c.desirable_weight}/${c.undesirable_weight}, ${c.kl_set}`;
    it(name, async () => {
      const out = await run(c);
      const close = (v: number[]) => v.map((x) => expect.closeTo(x, 10));
      expect(out.losses).toEqual(close(c.losses));
      expect(out.loss).toEqual(close([c.loss]));
      expect(out.rewards).toEqual(close(c.rewards));
      expect(out.kl).toEqual(close([c.kl]));
    });
  }
});

describe('ktoLogs', () => {
  it("gives TRL's metrics: means over each side, their margin, the KL mean and the counts", () => {
    const logs = ktoLogs(
      {
        'rewards/chosen': 3,
        'rewards/rejected': -2,
        'logps/chosen': -30,
        'logps/rejected': -80,
        'count/desirable': 3,
        'count/undesirable': 4,
        kl: 1.5,
      },
      7,
    );
    expect(logs).toEqual({
      'rewards/chosen': 1,
      'rewards/rejected': -0.5,
      'rewards/margins': 1.5,
      'logps/chosen': -10,
      'logps/rejected': -20,
      kl: 1.5 / 7,
      'count/desirable': 3,
      'count/undesirable': 4,
    });
  });

  it('leaves out the side without examples, and the margin', () => {
    const logs = ktoLogs(
      {
        'rewards/chosen': 2,
        'logps/chosen': -4,
        'count/desirable': 2,
        'count/undesirable': 0,
        kl: 0,
      },
      2,
    );
    expect(Object.keys(logs).sort()).toEqual([
      'count/desirable',
      'count/undesirable',
      'kl',
      'logps/chosen',
      'rewards/chosen',
    ]);
  });
});
