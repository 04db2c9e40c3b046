import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { adamw } from './optim/adamw.js';
import type { Optimizer } from './optim/optimizer.js';
import { sgd } from './optim/sgd.js';
import { buildTrainStep, type ParamGroup } from './step-graph.js';
import { TrainStepRunner } from './step-runner.js';

// Trajectories computed by torch.optim in float64: scripts/golden/make_optimizer_golden.py
const golden = JSON.parse(
  readFileSync(new URL('../../test/fixtures/golden-optimizers.json', import.meta.url), 'utf8'),
) as {
  init: Record<'a' | 'b', number[]>;
  coef: Record<'wa' | 'ca' | 'wb' | 'cb', number[]>;
  cases: Record<string, { loss: number; grad_norm: number; a: number[]; b: number[] }[]>;
};

const inA = (name: string) => name === 'a';
const setups: Record<string, { optimizer: Optimizer; groups: ParamGroup[]; maxGradNorm?: number }> =
  {
    adamw: {
      optimizer: adamw(),
      groups: [{ lr: 0.1, weight_decay: 0.1, match: inA }, { lr: 0.05 }],
    },
    adamw_clipped: {
      optimizer: adamw(),
      groups: [
        { lr: 0.1, weight_decay: 0.01, match: inA },
        { lr: 0.2, weight_decay: 0.01 },
      ],
      maxGradNorm: 1.0,
    },
    sgd_momentum: {
      optimizer: sgd({ momentum: 0.9, dampening: 0.1 }),
      groups: [{ lr: 0.1, weight_decay: 0.05, match: inA }, { lr: 0.05 }],
    },
    sgd_nesterov_clipped: {
      optimizer: sgd({ momentum: 0.8, nesterov: true }),
      groups: [{ lr: 0.1, match: inA }, { lr: 0.1 }],
      maxGradNorm: 0.5,
    },
    sgd_plain: { optimizer: sgd(), groups: [{ lr: 0.1, match: inA }, { lr: 0.3 }] },
  };

function f64(shape: number[], values: number[]): HostTensor {
  return new HostTensor('f32', shape, Float64Array.from(values));
}

describe('optimizers match torch.optim step by step', () => {
  for (const [name, setup] of Object.entries(setups)) {
    it(name, async () => {
      const b = new GraphBuilder();
      const a = b.input('a', [3, 4], 'f32', 'param');
      const bb = b.input('b', [5], 'f32', 'param');
      const c = (k: 'wa' | 'ca' | 'wb' | 'cb', shape: number[]) =>
        b.input(k, shape, 'f32', 'frozen');
      const loss = a
        .mul(a)
        .mul(c('wa', [3, 4]))
        .mul(0.5)
        .add(a.mul(c('ca', [3, 4])))
        .sum()
        .add(
          bb
            .mul(bb)
            .mul(c('wb', [5]))
            .mul(0.5)
            .add(bb.mul(c('cb', [5])))
            .sum(),
        );
      const step = buildTrainStep(loss, setup);
      const runner = TrainStepRunner.create(new ReferenceBackend({ precision: 'f64' }), step, {
        a: f64([3, 4], golden.init.a),
        b: f64([5], golden.init.b),
        wa: f64([3, 4], golden.coef.wa),
        ca: f64([3, 4], golden.coef.ca),
        wb: f64([5], golden.coef.wb),
        cb: f64([5], golden.coef.cb),
      });
      for (const expected of golden.cases[name]) {
        const result = await runner.run({});
        expect(result.loss).toBeCloseTo(expected.loss, 10);
        expect(result.gradNorm).toBeCloseTo(expected.grad_norm, 10);
        const params = await runner.params();
        const err = (got: HostTensor, want: number[]) =>
          Math.max(...got.toArray().map((v, i) => Math.abs(v - want[i])));
        expect(err(params.a, expected.a)).toBeLessThan(1e-10);
        expect(err(params.b, expected.b)).toBeLessThan(1e-10);
      }
    });
  }
});

describe('buildTrainStep', () => {
  it('steps only parameters the loss depends on and saves state per parameter as PyTorch does', async () => {
    const b = new GraphBuilder();
    const used = b.input('used', [2], 'f32', 'param');
    b.input('unused', [2], 'f32', 'param');
    const step = buildTrainStep(used.mul(used).sum(), { optimizer: adamw() });
    const [chunk] = step.chunks;
    expect(step.chunks.map((c) => c.members.map((m) => m.name))).toEqual([['used']]);
    expect(step.state.map((s) => s.name)).toEqual([
      `${chunk.name}.exp_avg`,
      `${chunk.name}.exp_avg_sq`,
    ]);
    expect(step.graph.updates.map((u) => u.input).sort()).toEqual(
      ['used', `${chunk.name}.exp_avg`, `${chunk.name}.exp_avg_sq`].sort(),
    );
    const weights = {
      used: HostTensor.from('f32', [2], [1, 2]),
      unused: HostTensor.zeros('f32', [2]),
    };
    const runner = TrainStepRunner.create(new ReferenceBackend(), step, weights);
    await runner.run({});
    expect(Object.keys(await runner.optimizerState()).sort()).toEqual([
      'used.exp_avg',
      'used.exp_avg_sq',
    ]);
  });

  it('rejects a non-scalar loss', () => {
    const b = new GraphBuilder();
    const p = b.input('p', [2], 'f32', 'param');
    expect(() => buildTrainStep(p.mul(2), { optimizer: sgd() })).toThrow(/must be a scalar/);
  });
});
