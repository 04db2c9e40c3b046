import { GraphBuilder, HostTensor } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { OnnxBackend, type OnnxBackendOptions } from './onnx-backend.js';

/** y = x W^T with W frozen [2, 3], x data [1, 3]. */
function linear(opts: OnnxBackendOptions) {
  const backend = new OnnxBackend({ threads: 1, ...opts });
  const b = new GraphBuilder();
  const w = b.input('w', [2, 3], 'f32', 'frozen');
  const x = b.input('x', [1, 3]);
  const exe = backend.compile(b.build({ y: x.matmul(w.transpose()) }));
  const x1 = HostTensor.from('f32', [1, 3], [1, 1, 1]);
  const weight = (values: number[]) => HostTensor.from('f32', [2, 3], values);
  return { backend, exe, x1, weight };
}

describe('onnx executable', () => {
  it('bakes frozen device tensors into the session and rebuilds it when another is fed', async () => {
    const { backend, exe, x1, weight } = linear({ frozenWeights: 'initializers' });
    const w1 = backend.upload(weight([1, 2, 3, 4, 5, 6]));
    expect((await exe.run({ w: w1, x: x1 })).y.toArray()).toEqual([6, 15]);
    expect((await exe.run({ w: w1, x: x1 })).y.toArray()).toEqual([6, 15]);
    expect(exe.sessionsCreated).toBe(1);
    const w2 = backend.upload(weight([1, 0, 0, 0, 1, 0]));
    expect((await exe.run({ w: w2, x: x1 })).y.toArray()).toEqual([1, 1]);
    expect(exe.sessionsCreated).toBe(2);
    // host data is fed per run, never baked
    expect((await exe.run({ w: weight([2, 0, 0, 0, 0, 2]), x: x1 })).y.toArray()).toEqual([2, 2]);
    expect((await exe.run({ w: weight([3, 0, 0, 0, 0, 3]), x: x1 })).y.toArray()).toEqual([3, 3]);
    expect(exe.sessionsCreated).toBe(3);
    backend.dispose();
  });

  it('feeds frozen weights on every run by default', async () => {
    const { backend, exe, x1, weight } = linear({});
    const w1 = backend.upload(weight([1, 2, 3, 4, 5, 6]));
    const w2 = backend.upload(weight([1, 0, 0, 0, 1, 0]));
    expect((await exe.run({ w: w1, x: x1 })).y.toArray()).toEqual([6, 15]);
    expect((await exe.run({ w: w2, x: x1 })).y.toArray()).toEqual([1, 1]);
    expect(exe.sessionsCreated).toBe(1);
    backend.dispose();
  });

  it('reuses update buffers without touching uploaded host data or downloaded tensors', async () => {
    const backend = new OnnxBackend({ threads: 1 });
    const b = new GraphBuilder();
    const w = b.input('w', [2], 'f32', 'param');
    const exe = backend.compile(b.build({ s: w.sum() }, { w: w.add(1) }));
    const host = HostTensor.from('f32', [2], [0, 10]);
    const wDev = backend.upload(host);
    const seen: number[][] = [];
    for (let i = 0; i < 4; i++) {
      await exe.run({ w: wDev });
      seen.push((await backend.download(wDev)).toArray());
    }
    expect(seen).toEqual([
      [1, 11],
      [2, 12],
      [3, 13],
      [4, 14],
    ]);
    expect(host.toArray()).toEqual([0, 10]);
    backend.dispose();
  });

  it('refuses overlapping runs of one executable', async () => {
    const { backend, exe, x1, weight } = linear({});
    const w1 = backend.upload(weight([1, 2, 3, 4, 5, 6]));
    const first = exe.run({ w: w1, x: x1 });
    await expect(exe.run({ w: w1, x: x1 })).rejects.toThrow('one graph at a time');
    await first;
    backend.dispose();
  });
});
