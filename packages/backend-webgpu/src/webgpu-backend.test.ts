import { GraphBuilder, HostTensor, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from './webgpu-backend.js';

describe('webgpu backend', () => {
  it('updates device tensors in place across runs and returns only what is fetched', async () => {
    const backend = await WebGpuBackend.create();
    const b = new GraphBuilder();
    const w = b.input('w', [3], 'f32', 'param');
    const x = b.input('x', [3]);
    const loss = w.mul(x).sum();
    const exe = backend.compile(b.build({ loss, doubled: w.mul(2) }, { w: w.sub(x.mul(0.5)) }));
    const wDev = backend.upload(HostTensor.from('f32', [3], [1, 2, 3]));
    const xHost = HostTensor.from('f32', [3], [2, 2, 2]);
    const first = await exe.run({ w: wDev, x: xHost }, { fetch: ['loss'] });
    expect(Object.keys(first)).toEqual(['loss']);
    expect(first.loss.item()).toBe(12);
    const second = await exe.run({ w: wDev, x: xHost });
    expect(second.loss.item()).toBe(6); // w became [0, 1, 2]
    expect((await backend.download(wDev)).toArray()).toEqual([-1, 0, 1]);
    backend.dispose();
  });

  it('stores f16, bf16, u8 and bool as their dtypes round', async () => {
    const backend = await WebGpuBackend.create();
    const b = new GraphBuilder();
    const h = b.input('h', [3], 'f16');
    const q = b.input('q', [2], 'u8');
    const out = await backend
      .compile(
        b.build({
          h2: h.cast('f32').mul(1.001).cast('f16'),
          bf: h
            .cast('f32')
            .add(1 / 3)
            .cast('bf16'),
          q1: q.cast('i32').add(1).cast('f32'),
          nz: h.cast('bool'),
        }),
      )
      .run({
        h: HostTensor.from('f16', [3], [1, 0.5, 0]),
        q: HostTensor.from('u8', [2], [0, 255]),
      });
    expect(out.h2.dtype).toBe('f16');
    expect(out.h2.toArray()).toEqual(HostTensor.from('f16', [3], [1.001, 0.5005, 0]).toArray());
    expect(out.bf.toArray()).toEqual(
      HostTensor.from('bf16', [3], [1 + 1 / 3, 0.5 + 1 / 3, 1 / 3]).toArray(),
    );
    expect(out.q1.toArray()).toEqual([1, 256]);
    expect(out.nz.toArray()).toEqual([1, 1, 0]);
    backend.dispose();
  });

  it('says which inputs were not fed and which have the wrong shape', async () => {
    const backend = await WebGpuBackend.create();
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    const exe = backend.compile(b.build({ y: x.add(b.input('z', [2])) }));
    await expect(exe.run({ x: HostTensor.zeros('f32', [2]) })).rejects.toThrow('inputs not fed: z');
    await expect(
      exe.run({ x: HostTensor.zeros('f32', [3]), z: HostTensor.zeros('f32', [2]) }),
    ).rejects.toThrow("input 'x': expected f32[2], got f32[3]");
    backend.dispose();
  });

  it('rejects at compile time, naming the op and the limit, a kernel the adapter cannot run', async () => {
    const backend = await WebGpuBackend.create();
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    // a matmul with more row tiles (32 rows each) than a grid dimension may hold
    const limit = backend.gpu.limits.maxComputeWorkgroupsPerDimension;
    const big = b.input('big', [2, limit * 32 + 1, 1]);
    const graph = b.build({ y: big.matmul(x.reshape([1, 2]).slice([0, 0], [1, 1])) });
    expect(() => backend.compile(graph)).toThrow(UserError);
    expect(() => backend.compile(graph)).toThrow(
      /op 'matmul' \(node %\d+, shape \[2, \d+, 1\]\) needs \d+ workgroups in one dimension; the adapter allows \d+ \(maxComputeWorkgroupsPerDimension\)/,
    );
    backend.dispose();
  });
});
