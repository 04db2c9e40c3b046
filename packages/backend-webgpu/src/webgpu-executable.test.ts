import { GraphBuilder, HostTensor } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineCache } from './pipeline-cache.js';
import { compileGraph } from './plan/compile-graph.js';
import { WebGpuBackend } from './webgpu-backend.js';
import { WebGpuExecutable } from './webgpu-executable.js';

/** The backend's device behind a proxy that counts the objects a run makes. */
function countingDevice(device: GPUDevice) {
  const made = { bindGroups: 0, buffers: 0 };
  const proxy = new Proxy(device, {
    get(target, key) {
      if (key === 'createBindGroup') made.bindGroups++;
      if (key === 'createBuffer') made.buffers++;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { device: proxy, made };
}

/** w -= x * f, with w a parameter updated in place, f a frozen device tensor, x host data. */
function stepGraph() {
  const b = new GraphBuilder();
  const w = b.input('w', [4], 'f32', 'param');
  const f = b.input('f', [4], 'f32', 'frozen');
  const x = b.input('x', [4]);
  const loss = w.mul(x).add(w.exp()).sum();
  return b.build({ loss, norm: f.mul(f).sum() }, { w: w.sub(x.mul(f)) });
}

describe('WebGpuExecutable', () => {
  let backend: WebGpuBackend;
  beforeAll(async () => {
    backend = await WebGpuBackend.create();
  });
  afterAll(() => backend.dispose());

  const compile = () => {
    const { device, made } = countingDevice(backend.gpu.device);
    const graph = stepGraph();
    const program = compileGraph(graph, backend.gpu.limits);
    const exe = new WebGpuExecutable(graph, program, device, new PipelineCache(device));
    return { exe, made, dispatches: program.steps.length };
  };

  it('makes its bind groups and read-back buffers on the first run, not on every run', async () => {
    const { exe, made, dispatches } = compile();
    const w = backend.upload(HostTensor.from('f32', [4], [1, 2, 3, 4]));
    const f = backend.upload(HostTensor.from('f32', [4], [1, 1, 1, 1]));
    const x = HostTensor.from('f32', [4], [0.5, 0.5, 0.5, 0.5]);
    const madeAtCompile = { ...made };
    await exe.run({ w, f, x });
    expect(made.bindGroups - madeAtCompile.bindGroups).toBe(dispatches);
    const afterFirst = { ...made };
    const second = await exe.run({ w, f, x });
    expect(made).toEqual(afterFirst);
    expect(second.norm.item()).toBe(4);
    expect((await backend.download(w)).toArray()).toEqual([0, 1, 2, 3]);

    // another device tensor fed to f: only the dispatches that bind f get new groups
    const f2 = backend.upload(HostTensor.from('f32', [4], [2, 2, 2, 2]));
    const third = await exe.run({ w, f: f2, x });
    const remade = made.bindGroups - afterFirst.bindGroups;
    expect(remade).toBeGreaterThan(0);
    expect(remade).toBeLessThan(dispatches);
    expect(third.norm.item()).toBe(16);
    expect((await backend.download(w)).toArray()).toEqual([-1, 0, 1, 2]);
    exe.dispose();
  });

  it('queues runs in call order: the next run may start before the last one is read back', async () => {
    const { exe } = compile();
    const w = backend.upload(HostTensor.from('f32', [4], [1, 2, 3, 4]));
    const f = backend.upload(HostTensor.from('f32', [4], [1, 1, 1, 1]));
    const xs = [1, 2, 3].map((v) => HostTensor.from('f32', [4], [v, v, v, v]));
    const runs = xs.map((x) => exe.run({ w, f, x }, { fetch: ['loss'] }));
    const losses = (await Promise.all(runs)).map((r) => r.loss.item());
    // each run sees the previous runs' updates: w = [1..4], then - 1, then - 2
    const expected = [
      [1, 2, 3, 4],
      [0, 1, 2, 3],
      [-2, -1, 0, 1],
    ].map((wv, k) => wv.reduce((s, v) => s + v * (k + 1) + Math.exp(v), 0));
    for (const [k, loss] of losses.entries()) expect(loss).toBeCloseTo(expected[k], 4);
    expect((await backend.download(w)).toArray()).toEqual([-5, -4, -3, -2]);
    exe.dispose();
  });
});
