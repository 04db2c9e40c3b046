import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import type { AnyOptimizer, HostOptimizer } from './optim/host-optimizer.js';
import { sgd } from './optim/sgd.js';
import { buildTrainStep, gradOutput } from './step-graph.js';
import { TrainStepRunner } from './step-runner.js';

/** SGD with coupled weight decay, on the host: the same rule as core's sgd() graph fragment. */
function hostSgd(): HostOptimizer & { steps: number[]; loaded?: Record<string, HostTensor> } {
  return {
    id: 'host_sgd',
    placement: 'host',
    steps: [],
    step(slots, step) {
      this.steps.push(step);
      for (const { param, grad, lr, weightDecay } of slots)
        for (let i = 0; i < param.length; i++)
          param[i] = Math.fround(param[i] - lr * (grad[i] + weightDecay * param[i]));
    },
    stateDict() {
      return { 'a.calls': HostTensor.from('f32', [1], [this.steps.length]) };
    },
    loadStateDict(state) {
      this.loaded = { ...state };
    },
  };
}

const init = () => ({
  a: HostTensor.from('f32', [2, 3], [0.5, -0.2, 0.1, 0.3, 0.9, -0.7]),
  b: HostTensor.from('f32', [3], [0.2, -0.1, 0.4]),
  unused: HostTensor.from('f32', [2], [1, 2]),
  x: HostTensor.from('f32', [4, 2], [1, 2, 0.5, -1, 2, 0, -1, 1]),
});

function stepFor(optimizer: AnyOptimizer, accumulation?: 'accumulate' | 'apply') {
  const b = new GraphBuilder();
  const a = b.input('a', [2, 3], 'f32', 'param');
  const bias = b.input('b', [3], 'f32', 'param');
  b.input('unused', [2], 'f32', 'param');
  const x = b.input('x', [4, 2], 'f32', 'frozen');
  const h = x.matmul(a).add(bias).tanh();
  return buildTrainStep(h.mul(h).sum(), {
    optimizer,
    groups: [{ lr: 0.1, weight_decay: 0.05, match: (n) => n === 'a' }, { lr: 0.2 }],
    maxGradNorm: 0.5,
    accumulation,
  });
}

describe('a host optimizer', () => {
  it('takes the gradients the step graph returns and gives the graph optimizer’s parameters', async () => {
    const weights = init();
    const host = hostSgd();
    const hostStep = stepFor(host);
    // one flat gradient per group's chunk; the runner hands each parameter its part
    expect(hostStep.chunks.map((c) => c.members.map((m) => m.name))).toEqual([['a'], ['b']]);
    expect(hostStep.graph.outputs.map((o) => o.name).sort()).toEqual(
      ['grad_norm', 'loss', ...hostStep.chunks.map((c) => gradOutput(c.name))].sort(),
    );
    expect(hostStep.graph.updates).toEqual([]);
    const onHost = TrainStepRunner.create(new ReferenceBackend(), hostStep, weights);
    const inGraph = TrainStepRunner.create(new ReferenceBackend(), stepFor(sgd()), init());
    for (let s = 0; s < 3; s++) {
      const [h, g] = [
        await onHost.run({}, [0.1, 0.2 / (s + 1)]),
        await inGraph.run({}, [0.1, 0.2 / (s + 1)]),
      ];
      expect(h.loss).toBeCloseTo(g.loss, 6);
      expect(h.gradNorm).toBeCloseTo(g.gradNorm, 6);
    }
    const [got, want] = [await onHost.params(), await inGraph.params()];
    for (const name of ['a', 'b', 'unused'])
      for (const [i, v] of want[name].toArray().entries())
        expect(got[name].toArray()[i]).toBeCloseTo(v, 6);
    expect(host.steps).toEqual([1, 2, 3]);
    // the runner owns its copy: the caller's tensors are not written
    expect(weights.a.toArray()).toEqual(init().a.toArray());
    expect(Object.keys(await onHost.optimizerState())).toEqual(['a.calls']);
  });

  it('steps once per accumulation window, on the summed gradients', async () => {
    const host = hostSgd();
    const accumulate = TrainStepRunner.create(
      new ReferenceBackend(),
      stepFor(host, 'accumulate'),
      init(),
    );
    const apply = accumulate.share(stepFor(host, 'apply'));
    const plain = TrainStepRunner.create(new ReferenceBackend(), stepFor(hostSgd()), init());
    await accumulate.accumulate({});
    const r = await apply.run({});
    const p = await plain.run({});
    expect(r.gradNorm).toBeCloseTo(2 * p.gradNorm, 5);
    expect(host.steps).toEqual([1]);
  });

  it('gets the saved state on resume', async () => {
    const host = hostSgd();
    const saved = { 'a.calls': HostTensor.from('f32', [1], [7]) };
    TrainStepRunner.create(new ReferenceBackend(), stepFor(host), init(), {
      steps: 7,
      state: saved,
    });
    expect(host.loaded).toEqual(saved);
  });
});
