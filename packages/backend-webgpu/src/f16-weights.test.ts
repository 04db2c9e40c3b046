import { GraphBuilder, HostTensor, type Node, roundToF16 } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { weightStorage } from './device/f16-weights.js';
import { matmulSource } from './kernels/matmul.js';
import { WebGpuBackend } from './webgpu-backend.js';

/** y = x @ W^T (W frozen, stored as halves where asked) plus what only an f32 read gives: W's sum. */
function linear(frozenSum: boolean) {
  const b = new GraphBuilder();
  const x = b.input('x', [3, 8]);
  const w = b.input('w', [5, 8], 'f32', 'frozen');
  const outputs = { y: x.matmul(w.transpose()) };
  return b.build(frozenSum ? { ...outputs, s: w.sum() } : outputs);
}

const x = HostTensor.from(
  'f32',
  [3, 8],
  Array.from({ length: 24 }, (_, i) => Math.sin(i)),
);
const w = HostTensor.from(
  'f32',
  [5, 8],
  Array.from({ length: 40 }, (_, i) => Math.cos(i) / 3),
);

/** x @ W^T on the host, with W's values mapped by `round` first. */
function expected(round: (v: number) => number): number[] {
  const wv = Array.from(w.data as Float32Array, round);
  const xv = x.data as Float32Array;
  return Array.from({ length: 15 }, (_, e) => {
    const [r, o] = [Math.floor(e / 5), e % 5];
    return xv.slice(r * 8, r * 8 + 8).reduce((s, v, i) => s + v * wv[o * 8 + i], 0);
  });
}

function expectClose(actual: readonly number[], want: readonly number[]): void {
  for (const [i, v] of want.entries()) expect(actual[i]).toBeCloseTo(v, 5);
}

describe('f16 weights', () => {
  it('says which storage each setting gives, with and without shader-f16', () => {
    expect(weightStorage('off', true).halfWeights).toBeUndefined();
    expect(weightStorage('auto', true).halfWeights).toBe('f16');
    expect(weightStorage('on', false).halfWeights).toBe('packed');
    const none = weightStorage('auto', false);
    expect(none.halfWeights).toBeUndefined();
    expect(none.statement).toMatch(/no 'shader-f16'/);
  });

  it('reads f16 weights as f16 where shader-f16 exists, else as u32 pairs, accumulating in f32', () => {
    const node = (id: number) =>
      ({ id, op: 'input', inputs: [], attrs: {}, shape: [2, 2], dtype: 'f32' }) as unknown as Node;
    const [a, out] = [{ node: node(0) }, node(2)];
    const f16 = matmulSource(a, { node: node(1), transposed: true, half: 'f16' }, out);
    expect(f16.startsWith('enable f16;\n')).toBe(true);
    expect(f16).toContain('var<storage, read> x1: array<f16>;');
    expect(f16).toMatch(/bv = f32\(f32\(x1\[bBase \+ \(col0 \+ c\) \* k \+ k0 \+ r\]\)\)/);
    expect(f16).toContain('var<workgroup> Bs: array<f32, 1024>;');
    const packed = matmulSource(a, { node: node(1), half: 'packed' }, out);
    expect(packed).not.toContain('enable f16');
    expect(packed).toContain('var<storage, read> x1: array<u32>;');
    expect(packed).toContain('unpack2x16float(x1[(bBase + (k0 + r) * n + col0 + c) >> 1u])');
  });

  it('stores a frozen matmul weight in half the memory and computes with its f16 values', async () => {
    const backend = await WebGpuBackend.create({ f16Weights: 'on' });
    expect(backend.weights.halfWeights).toBe(backend.gpu.shaderF16 ? 'f16' : 'packed');
    const wDev = backend.upload(w);
    const out = await backend.compile(linear(false)).run({ x, w: wDev });
    expect(wDev.halves).toBe(true);
    expect(wDev.buffer.size).toBe(40 * 2);
    const y = Array.from(out.y.data as Float32Array);
    expectClose(y, expected(roundToF16));
    // the f32 product differs from the f16 one: the check above could fail
    expect(Math.max(...expected((v) => v).map((v, i) => Math.abs(v - y[i])))).toBeGreaterThan(1e-5);
    expect((await backend.download(wDev)).toArray()).toEqual(
      Array.from(w.data as Float32Array, roundToF16),
    );
    // a graph that reads it otherwise (a sum) gets it back in f32 words
    const both = await backend.compile(linear(true)).run({ x, w: wDev });
    expect(wDev.halves).toBe(false);
    expect(both.s.item()).toBeCloseTo(
      Array.from(w.data as Float32Array, roundToF16).reduce((s, v) => s + v, 0),
      5,
    );
    backend.dispose();
  });

  it("leaves weights in f32 under 'auto' where the adapter has no shader-f16, and says so", async () => {
    const backend = await WebGpuBackend.create({ f16Weights: 'auto' });
    const wDev = backend.upload(w);
    const out = await backend.compile(linear(false)).run({ x, w: wDev });
    const y = Array.from(out.y.data as Float32Array);
    if (backend.gpu.shaderF16) {
      expect(backend.weights.statement).toMatch(/read as f16 \(shader-f16\)/);
      expect(wDev.halves).toBe(true);
      expectClose(y, expected(roundToF16));
    } else {
      expect(backend.weights.statement).toMatch(
        /frozen weights in f32: this adapter has no 'shader-f16'/,
      );
      expect(wDev.halves).toBe(false);
      expectClose(
        y,
        expected((v) => v),
      );
    }
    backend.dispose();
  });
});
