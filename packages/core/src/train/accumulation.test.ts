import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { adamw } from './optim/adamw.js';
import { buildTrainStep, GRAD_ACCUM_STATE } from './step-graph.js';
import { TrainStepRunner } from './step-runner.js';

const init = { w: new HostTensor('f32', [3], Float64Array.of(0.5, -0.2, 0.1)) };
const X = [
  [1, 2, 3],
  [0.5, -1, 2],
  [2, 0, -1],
  [-1, 1, 1],
];
const Y = [1, -0.5, 2, 0.3];

/** Mean squared error of a linear model over `rows` data rows, divided by the fed count `n`. */
function step(rows: number, accumulation?: 'accumulate' | 'apply', withErrors = false) {
  const b = new GraphBuilder();
  const w = b.input('w', [3], 'f32', 'param');
  const x = b.input('x', [rows, 3], 'f32');
  const y = b.input('y', [rows], 'f32');
  const n = b.input('n', [], 'f32');
  const err = x.mul(w).sum(-1).sub(y);
  const loss = err.mul(err).sum().div(n);
  return buildTrainStep(loss, {
    optimizer: adamw(),
    groups: [{ lr: 0.1, weight_decay: 0.01 }],
    maxGradNorm: 0.5,
    accumulation,
    outputs: withErrors ? { errors: err } : undefined,
  });
}

function feeds(from: number, to: number) {
  const f64 = (shape: number[], v: number[]) => new HostTensor('f32', shape, Float64Array.from(v));
  return {
    x: f64([to - from, 3], X.slice(from, to).flat()),
    y: f64([to - from], Y.slice(from, to)),
    n: f64([], [4]),
  };
}

describe('gradient accumulation steps', () => {
  it('accumulate + apply on two halves equals one step on the whole (f64)', async () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const whole = TrainStepRunner.create(backend, step(4), init);
    const acc = TrainStepRunner.create(backend, step(2, 'accumulate'), init);
    const apply = acc.share(step(2, 'apply'));
    for (let k = 0; k < 3; k++) {
      const a = await whole.run(feeds(0, 4));
      const l1 = (await acc.accumulate(feeds(0, 2))).loss;
      const b = await apply.run(feeds(2, 4));
      expect(l1 + b.loss).toBeCloseTo(a.loss, 12);
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 12);
    }
    expect(apply.steps).toBe(3);
    const [pw, pa] = [(await whole.params()).w, (await apply.params()).w];
    for (const [i, v] of pw.toArray().entries()) expect(pa.toArray()[i]).toBeCloseTo(v, 12);
  });

  it('an accumulate step holds one buffer per flat chunk and takes no optimizer step', () => {
    const s = step(2, 'accumulate');
    expect(s.state.map((i) => i.name)).toEqual([`${s.chunks[0].name}.${GRAD_ACCUM_STATE}`]);
    expect(s.scalars).toEqual([]);
    expect(s.graph.outputs.map((o) => o.name)).toEqual(['loss']);
  });

  it('extra outputs come back from accumulate and apply runs, computed before the update', async () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const acc = TrainStepRunner.create(backend, step(2, 'accumulate', true), init);
    const apply = acc.share(step(2, 'apply', true));
    const w = init.w.toArray();
    const expected = (from: number) =>
      X.slice(from, from + 2).map((x, i) => x.reduce((s, v, j) => s + v * w[j], 0) - Y[from + i]);
    const first = await acc.accumulate(feeds(0, 2));
    const second = await apply.run(feeds(2, 4));
    expect(first.outputs.errors.toArray()).toEqual(expected(0).map((v) => expect.closeTo(v, 12)));
    expect(second.outputs.errors.toArray()).toEqual(expected(2).map((v) => expect.closeTo(v, 12)));
    expect(() => buildTrainStep(b0(), { optimizer: adamw(), outputs: { loss: b0() } })).toThrow(
      /shadow/,
    );
  });
});

/** A scalar loss of one parameter, for option checks. */
function b0() {
  const b = new GraphBuilder();
  return b.input('w', [], 'f32', 'param').mul(2);
}

describe('TrainStepRunner resume', () => {
  it('continues from saved optimizer state and step count as if never stopped', async () => {
    const backend = new ReferenceBackend();
    const straight = TrainStepRunner.create(backend, step(4), init);
    for (let k = 0; k < 4; k++) await straight.run(feeds(0, 4));
    const first = TrainStepRunner.create(backend, step(4), init);
    for (let k = 0; k < 2; k++) await first.run(feeds(0, 4));
    const state = await first.optimizerState();
    expect(Object.keys(state).sort()).toEqual(['w.exp_avg', 'w.exp_avg_sq']);
    const resumed = TrainStepRunner.create(backend, step(4), await first.params(), {
      steps: first.steps,
      state,
    });
    for (let k = 0; k < 2; k++) await resumed.run(feeds(0, 4));
    expect((await resumed.params()).w.toArray()).toEqual((await straight.params()).w.toArray());
  });
});
