import { describe, expect, it } from 'vitest';
import { grad } from '../autodiff/index.js';
import { ReferenceBackend } from '../backend/index.js';
import { GraphBuilder, type Tensor } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { accumulatedTinySteps } from '../testing/conformance/flat-chunk-steps.js';
import { firstMismatch } from '../testing/conformance/tolerances.js';
import { planFlatChunks } from './flat-chunks.js';
import { adamw } from './optim/adamw.js';
import { buildTrainStep } from './step-graph.js';
import { TrainStepRunner } from './step-runner.js';

describe('planFlatChunks', () => {
  it('lays parameters end to end per group and dtype, a chunk full at the bound', () => {
    const p = (name: string, shape: number[], group = 0, dtype: 'f32' | 'f16' = 'f32') => ({
      name,
      shape,
      dtype,
      group,
    });
    const chunks = planFlatChunks(
      [
        p('a', [2, 3]),
        p('b', [4], 1),
        p('c', [3]),
        p('d', [20]),
        p('e', [2]),
        p('h', [2], 0, 'f16'),
      ],
      10,
    );
    const layout = chunks.map((c) => [c.name, c.size, c.members.map((m) => [m.name, m.offset])]);
    expect(layout).toEqual([
      [
        'flat:0:0',
        9,
        [
          ['a', 0],
          ['c', 6],
        ],
      ],
      ['flat:0:1', 20, [['d', 0]]], // larger than the bound: a chunk of its own
      ['flat:0:2', 2, [['e', 0]]],
      ['flat:1:0', 4, [['b', 0]]],
      ['flat:0:0:f16', 2, [['h', 0]]],
    ]);
  });
  it('gives parameters of different keys chunks of their own, named by the key', () => {
    const p = (name: string, key: string) => ({
      name,
      shape: [2],
      dtype: 'f32' as const,
      group: 0,
      key,
    });
    const withHead = planFlatChunks([
      p('model.a', 'trunk'),
      p('score.weight', 'score'),
      p('model.b', 'trunk'),
    ]);
    const without = planFlatChunks([p('model.a', 'trunk'), p('model.b', 'trunk')]);
    expect(withHead.map((c) => [c.name, c.members.map((m) => m.name)])).toEqual([
      ['flat:0:trunk:0', ['model.a', 'model.b']],
      ['flat:0:score:0', ['score.weight']],
    ]);
    // the trunk's chunk is the same whether or not a graph also trains the head
    expect(without).toEqual([withHead[0]]);
  });
});

describe('a step over flat chunks', () => {
  it('equals the per-tensor step: losses, norms, parameters and saved state after 3 steps (f64)', async () => {
    const f64 = () => new ReferenceBackend({ precision: 'f64' });
    const perTensor = await accumulatedTinySteps(f64(), 1);
    for (const bound of [undefined, 600]) {
      const flat = await accumulatedTinySteps(f64(), bound);
      const tol = { atol: 1e-12, rtol: 1e-12 };
      expect(firstMismatch(flat.losses, perTensor.losses, tol)).toBeNull();
      expect(firstMismatch(flat.gradNorms, perTensor.gradNorms, tol)).toBeNull();
      for (const part of ['params', 'state'] as const) {
        expect(Object.keys(flat[part]).sort()).toEqual(Object.keys(perTensor[part]).sort());
        for (const [name, t] of Object.entries(perTensor[part]))
          expect(firstMismatch(flat[part][name].toFloat64(), t.toFloat64(), tol), name).toBeNull();
      }
    }
    expect(Object.keys(perTensor.state)).toContain('model.norm.weight.exp_avg_sq');
  });

  it('resumes from state saved in another layout as if never stopped', async () => {
    const step = (flatChunkElements?: number) => {
      const b = new GraphBuilder();
      const a = b.input('a', [2, 3], 'f32', 'param');
      const c = b.input('c', [3], 'f32', 'param');
      const y = b.input('x', [4, 2], 'f32', 'frozen').matmul(a).add(c).tanh();
      return buildTrainStep(y.mul(y).sum(), {
        optimizer: adamw(),
        groups: [{ lr: 0.1, weight_decay: 0.1 }],
        maxGradNorm: 0.5,
        flatChunkElements,
      });
    };
    const init = {
      a: HostTensor.from('f32', [2, 3], [0.5, -0.2, 0.1, 0.3, 0.9, -0.7]),
      c: HostTensor.from('f32', [3], [0.2, -0.1, 0.4]),
      x: HostTensor.from('f32', [4, 2], [1, 2, 0.5, -1, 2, 0, -1, 1]),
    };
    const backend = new ReferenceBackend({ precision: 'f64' });
    const straight = TrainStepRunner.create(backend, step(), init);
    for (let k = 0; k < 4; k++) await straight.run({});
    const first = TrainStepRunner.create(backend, step(1), init);
    for (let k = 0; k < 2; k++) await first.run({});
    const resumed = TrainStepRunner.create(
      backend,
      step(),
      { ...(await first.params()), x: init.x },
      { steps: first.steps, state: await first.optimizerState() },
    );
    for (let k = 0; k < 2; k++) await resumed.run({});
    const [got, want] = [await resumed.params(), await straight.params()];
    for (const name of ['a', 'c'])
      expect(
        firstMismatch(got[name].toFloat64(), want[name].toFloat64(), { atol: 1e-14, rtol: 0 }),
      ).toBeNull();
    const wrong = { 'a.exp_avg': HostTensor.zeros('f32', [3, 2]) };
    expect(() => TrainStepRunner.create(backend, step(), init, { steps: 2, state: wrong })).toThrow(
      "saved optimizer state 'a.exp_avg' is f32[3, 2], the step expects f32[2, 3]",
    );
  });

  it('has an optimizer part whose arithmetic does not grow with the number of tensors', () => {
    // nodes other than the moves that join and split chunks: the step less its gradients alone
    const moves = new Set(['input', 'reshape', 'slice', 'concat']);
    const optimizerPart = (tensors: number, flatChunkElements?: number) => {
      const count = (withOptimizer: boolean) => {
        const b = new GraphBuilder();
        const params = Array.from({ length: tensors }, (_, k) =>
          b.input(`p${k}`, [3, 2], 'f32', 'param'),
        );
        const loss = params.map((p) => p.mul(p).sum()).reduce((x, y) => x.add(y));
        const graph = withOptimizer
          ? buildTrainStep(loss, { optimizer: adamw(), maxGradNorm: 1, flatChunkElements }).graph
          : b.build({
              loss,
              ...Object.fromEntries(grad(loss, params).map((g, k) => [k, g as Tensor])),
            });
        return graph.nodes.filter((n) => !moves.has(n.op)).length;
      };
      return count(true) - count(false);
    };
    expect(optimizerPart(40)).toBe(optimizerPart(4));
    // the per-tensor layout (one chunk per tensor) is what this guards against
    expect(optimizerPart(40, 1)).toBeGreaterThan(optimizerPart(4, 1) + 36 * 15);
  });
});
