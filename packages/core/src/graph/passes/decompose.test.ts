import { describe, expect, it } from 'vitest';
import { evaluate } from '../../backend/index.js';
import { seededRandom } from '../../tensor/index.js';
import { fillInput, OP_CASES } from '../../testing/index.js';
import { GraphBuilder } from '../builder.js';
import { ops } from '../functional.js';
import { decompose } from './decompose.js';

const FUSED = [
  'softmax',
  'log_softmax',
  'rms_norm',
  'layer_norm',
  'rope',
  'flash_attention',
  'flash_attention_backward',
  'cross_entropy',
  'cross_entropy_backward',
  'dropout',
] as const;

describe('decompose', () => {
  for (const op of FUSED) {
    it(`lowers ${op} to primitives with the same values`, async () => {
      for (const c of OP_CASES[op]) {
        const random = seededRandom(3);
        const b = new GraphBuilder();
        const feeds = Object.fromEntries(
          c.inputs.map((input, i) => [`x${i}`, fillInput(input, random)]),
        );
        const y = c.build(
          ...c.inputs.map((input, i) => b.input(`x${i}`, input.shape, input.dtype ?? 'f32')),
        );
        const graph = b.build({ y });
        const lowered = decompose(graph, () => false);
        for (const fused of FUSED) expect(lowered.nodes.map((n) => n.op)).not.toContain(fused);
        const [want, got] = await Promise.all([
          evaluate(graph, feeds, 'f64'),
          evaluate(lowered, feeds, 'f64'),
        ]);
        const w = want.y.toFloat64();
        const err = got.y.toFloat64().reduce((m, v, i) => Math.max(m, Math.abs(v - w[i])), 0);
        expect(err).toBeLessThan(1e-10);
      }
    });
  }

  it('keeps the ops a backend implements, and the names of inputs, outputs and updates', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 3], 'f32', 'param');
    const y = x.softmax(-1).logSoftmax(-1);
    const lowered = decompose(b.build({ y }, { x: y }), (op) => op === 'softmax');
    const ops = lowered.nodes.map((n) => n.op);
    expect(ops).toContain('softmax');
    expect(ops).not.toContain('log_softmax');
    expect(lowered.inputs.map((i) => [i.name, i.role])).toEqual([['x', 'param']]);
    expect(lowered.outputs.map((o) => o.name)).toEqual(['y']);
    expect(lowered.updates.map((u) => u.input)).toEqual(['x']);
  });

  it('lowers in turn the fused ops a decomposition uses, unless the backend keeps them', () => {
    const b = new GraphBuilder();
    const [q, k, v] = ['q', 'k', 'v'].map((name) => b.input(name, [1, 2, 3, 4], 'f32'));
    const graph = b.build({ y: ops.causalAttention(q, k, v, { scale: 0.5 }) });
    const opsOf = (keep: (op: string) => boolean) => decompose(graph, keep).nodes.map((n) => n.op);
    expect(opsOf((op) => op === 'softmax')).toContain('softmax');
    expect(opsOf((op) => op === 'softmax')).not.toContain('flash_attention');
    expect(opsOf(() => false)).not.toContain('softmax');
  });
});
