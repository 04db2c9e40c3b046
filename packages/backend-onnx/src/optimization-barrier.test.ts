import { GraphBuilder, HostTensor, ops } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { lowerToModelProto } from './lower.js';
import { OnnxBackend } from './onnx-backend.js';

/** y = barrier(x, after) for an x of each dtype and rank, with `after` computed from `a`. */
function barriers() {
  const b = new GraphBuilder();
  const a = b.input('a', [2, 3]);
  const after = a.mul(2);
  const packed = b.input('packed', [4, 1], 'u8', 'frozen');
  const w = b.input('w', [3]);
  const s = b.input('s', []);
  const graph = b.build({
    packed: ops.optimizationBarrier(packed, after),
    w: ops.optimizationBarrier(w, after),
    s: ops.optimizationBarrier(s, after.sum()),
  });
  return graph;
}

describe('optimization_barrier on the onnx backend', () => {
  it('gives x itself, of any dtype and rank', async () => {
    const backend = new OnnxBackend({ threads: 1 });
    const out = await backend.compile(barriers()).run({
      a: HostTensor.from('f32', [2, 3], [1, 2, 3, 4, 5, Number.NaN]),
      packed: HostTensor.from('u8', [4, 1], [0, 17, 200, 255]),
      w: HostTensor.from('f32', [3], [0.5, -1, 2]),
      s: HostTensor.from('f32', [], [7]),
    });
    expect(out.packed.toArray()).toEqual([0, 17, 200, 255]);
    expect(out.w.toArray()).toEqual([0.5, -1, 2]);
    expect(out.s.item()).toBe(7);
    backend.dispose();
  });

  it('is a slice whose start is computed from `after` (no Where: slow on integers), of a static shape', () => {
    const { model } = lowerToModelProto(barriers());
    const nodes = model.graph?.node ?? [];
    const producer = new Map(nodes.flatMap((n) => (n.output ?? []).map((o) => [o, n])));
    const dependsOn = (value: string, on: string): boolean => {
      if (value === on) return true;
      return (producer.get(value)?.input ?? []).some((i) => dependsOn(i, on));
    };
    for (const input of ['packed', 'w']) {
      const barrier = nodes.find((n) => n.opType === 'Slice' && n.input?.[0] === input);
      expect(barrier).toBeDefined();
      expect(dependsOn(barrier?.input?.[1] as string, 'a')).toBe(true);
      // reshaped to its own shape, so that onnxruntime knows it (and what follows) statically
      const reshape = nodes.find(
        (n) => n.opType === 'Reshape' && n.input?.[0] === barrier?.output?.[0],
      );
      expect(reshape).toBeDefined();
    }
    expect(nodes.filter((n) => n.opType === 'Where')).toHaveLength(1); // the scalar's
  });
});
