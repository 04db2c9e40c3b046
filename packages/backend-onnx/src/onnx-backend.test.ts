import { GraphBuilder, HostTensor, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { OnnxBackend } from './onnx-backend.js';

describe('onnx backend', () => {
  it('updates device tensors in place across runs and returns only what is fetched', async () => {
    const backend = new OnnxBackend({ threads: 1 });
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
    expect(exe.sessionCreateMs).toBeGreaterThan(0);
    backend.dispose();
  });

  it('rejects at compile time, naming the op, what onnxruntime cannot run', () => {
    const backend = new OnnxBackend();
    const b = new GraphBuilder();
    const x = b.input('x', [2, 2], 'f16');
    const graph = b.build({ y: x.matmul(x).cast('f32') });
    expect(() => backend.compile(graph)).toThrow(UserError);
    expect(() => backend.compile(graph)).toThrow(
      /op 'matmul' \(node %\d+\) on f16 has no onnxruntime CPU kernel/,
    );
    const bf = new GraphBuilder();
    const z = bf.input('z', [2], 'bf16');
    expect(() => backend.compile(bf.build({ y: z.cast('f32') }))).toThrow(
      /uses bf16, which onnxruntime-node cannot hold/,
    );
  });

  it('runs f16 storage through casts', async () => {
    const backend = new OnnxBackend({ threads: 1 });
    const b = new GraphBuilder();
    const h = b.input('h', [3], 'f16');
    const y = h.cast('f32').add(1).cast('f16');
    const out = await backend
      .compile(b.build({ y }))
      .run({ h: HostTensor.from('f16', [3], [1, 0.5, -2]) });
    expect(out.y.dtype).toBe('f16');
    expect(out.y.toArray()).toEqual([2, 1.5, -1]);
  });

  it('says which inputs were not fed and which have the wrong shape', async () => {
    const backend = new OnnxBackend({ threads: 1 });
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    const exe = backend.compile(b.build({ y: x.add(b.input('z', [2])) }));
    await expect(exe.run({ x: HostTensor.zeros('f32', [2]) })).rejects.toThrow('inputs not fed: z');
    await expect(
      exe.run({ x: HostTensor.zeros('f32', [3]), z: HostTensor.zeros('f32', [2]) }),
    ).rejects.toThrow("input 'x': expected f32[2], got f32[3]");
  });
});
