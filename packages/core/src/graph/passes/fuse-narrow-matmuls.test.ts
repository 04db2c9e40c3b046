import { describe, expect, it } from 'vitest';
import { grad } from '../../autodiff/index.js';
import { evaluate } from '../../backend/index.js';
import { HostTensor, seededRandom } from '../../tensor/index.js';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../node.js';
import type { Tensor } from '../tensor.js';
import { fuseNarrowMatmuls } from './fuse-narrow-matmuls.js';

const IN = 6;

/**
 * LoRA's pattern: x [2, 5, IN] (a parameter here, so it has a gradient too) times A_i^T for adapters
 * of rank 2, 3 and 2, each product then used on its own; `adapter` traces each one.
 */
function trace(adapter: (b: GraphBuilder, x: Tensor, k: number, r: number) => Tensor) {
  const b = new GraphBuilder();
  const x = b.input('x', [2, 5, IN], 'f32', 'param');
  const ys = [2, 3, 2].map((r, k) => adapter(b, x, k, r));
  const loss = ys
    .map((y, k) =>
      y
        .mul(y)
        .mul(k + 1)
        .sum(),
    )
    .reduce((a, c) => a.add(c))
    .add(x.sum());
  return loss;
}

const lora = (b: GraphBuilder, x: Tensor, k: number, r: number) =>
  x.matmul(b.input(`A${k}`, [r, IN], 'f32', 'param').transpose());

/** The loss and its gradient with respect to every parameter, as one graph. */
function withGrads(loss: Tensor): Graph {
  const params = loss.builder.graphInputs().filter((i) => i.role === 'param');
  const grads = grad(
    loss,
    params.map((p) => loss.builder.tensorOf(p.node)),
  );
  return loss.builder.build(
    Object.fromEntries([['loss', loss], ...params.map((p, k) => [`d${p.name}`, grads[k]])]),
  );
}

function feedsOf(graph: Graph): Record<string, HostTensor> {
  const random = seededRandom(7);
  return Object.fromEntries(
    graph.inputs.map((i) => {
      const size = i.shape.reduce((a, d) => a * d, 1);
      const values = Array.from({ length: size }, () => random() - 0.5);
      return [i.name, HostTensor.from(i.dtype, i.shape, values)];
    }),
  );
}

const matmuls = (graph: Graph) => graph.nodes.filter((n) => n.op === 'matmul').length;

describe('fuseNarrowMatmuls', () => {
  it('makes narrow products of one input one product, forward and backward, with the same values', async () => {
    const loss = trace(lora);
    const before = withGrads(loss);
    const after = withGrads(fuseNarrowMatmuls({ loss }).loss);
    // three products, three x-gradients, three A-gradients: now one of each
    expect(matmuls(before)).toBe(9);
    expect(matmuls(after)).toBe(3);
    expect(after.inputs.map((i) => i.name).sort()).toEqual(['A0', 'A1', 'A2', 'x']);
    const feeds = feedsOf(before);
    const [want, got] = await Promise.all([
      evaluate(before, feeds, 'f64'),
      evaluate(after, feeds, 'f64'),
    ]);
    for (const name of ['loss', 'dx', 'dA0', 'dA1', 'dA2']) {
      expect(got[name].shape).toEqual(want[name].shape);
      const w = want[name].toFloat64();
      const err = got[name].toFloat64().reduce((m, v, i) => Math.max(m, Math.abs(v - w[i])), 0);
      expect(err, name).toBeLessThan(1e-12);
    }
  });

  it('fuses weights that are not transposed too, concatenating their columns', async () => {
    const loss = trace((b, x, k, r) => x.matmul(b.input(`W${k}`, [IN, r], 'f32', 'param')));
    const fused = fuseNarrowMatmuls({ loss }).loss;
    const graph = fused.builder.build({ loss: fused });
    expect(matmuls(graph)).toBe(1);
    const concat = graph.nodes.find((n) => n.op === 'concat');
    expect(concat?.shape).toEqual([IN, 7]);
  });

  it('leaves a graph alone when the weights are wide, computed, or the inputs differ', () => {
    const wide = trace((b, x, k) => x.matmul(b.input(`W${k}`, [IN, 65], 'f32', 'frozen')));
    const computed = trace((b, x, k, r) =>
      x.matmul(b.input(`A${k}`, [r, IN], 'f32', 'param').mul(x.sum()).transpose()),
    );
    // what dropout does: each adapter its own input
    const ownInput = trace((b, x, k, r) => lora(b, x.mul(k + 2), k, r));
    for (const loss of [wide, computed, ownInput]) {
      const roots = { loss };
      expect(fuseNarrowMatmuls(roots)).toBe(roots);
    }
  });

  it('keeps frozen weights out of a group of trainable ones, whose gradient they would share', () => {
    const loss = trace((b, x, k, r) =>
      x.matmul(b.input(`A${k}`, [r, IN], 'f32', k === 0 ? 'frozen' : 'param').transpose()),
    );
    const fused = fuseNarrowMatmuls({ loss }).loss;
    const graph = fused.builder.build({ loss: fused });
    expect(matmuls(graph)).toBe(2);
    expect(graph.nodes.find((n) => n.op === 'concat')?.shape).toEqual([5, IN]);
  });

  it('carries checkpoint segments and layers over, and gives checkpointed gradients unchanged', async () => {
    const tracedIn = (b: GraphBuilder, x: Tensor) =>
      b.layer(() =>
        b.checkpoint(() => {
          const h = x.mul(2);
          return [0, 1, 2].map((k) => lora(b, h, k, 2));
        }),
      );
    const b = new GraphBuilder();
    const x = b.input('x', [4, IN], 'f32', 'param');
    const loss = tracedIn(b, x)
      .map((y) => y.exp().sum())
      .reduce((a, c) => a.add(c));
    const before = withGrads(loss);
    const fused = fuseNarrowMatmuls({ loss }).loss;
    const nb = fused.builder;
    expect(nb.checkpoints).toHaveLength(1);
    expect(nb.layers).toEqual(nb.checkpoints);
    // the segment holds the fused product and its slices, and what follows them is outside
    const { start, end } = nb.checkpoints[0];
    const inside = new Set(nb.nodes.slice(start, end).map((n) => n.op));
    expect(inside).toEqual(
      new Set(['constant', 'mul', 'input', 'concat', 'transpose', 'matmul', 'slice']),
    );
    expect(nb.nodes[end].op).toBe('exp');
    const after = withGrads(fused);
    const feeds = feedsOf(before);
    const [want, got] = await Promise.all([
      evaluate(before, feeds, 'f64'),
      evaluate(after, feeds, 'f64'),
    ]);
    for (const name of ['loss', 'dx', 'dA0', 'dA1', 'dA2']) {
      const w = want[name].toFloat64();
      const err = got[name].toFloat64().reduce((m, v, i) => Math.max(m, Math.abs(v - w[i])), 0);
      expect(err, name).toBeLessThan(1e-12);
    }
  });

  it('carries selectively recomputed segments over (the MLP keeps only its inputs)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [4, IN], 'f32', 'param');
    const [gate, up] = [0, 1].map((k) => lora(b, x, k, 2));
    const act = b.recompute(() => gate.sigmoid().mul(gate).mul(up));
    const fused = fuseNarrowMatmuls({ loss: act.sum() }).loss;
    const nb = fused.builder;
    expect(nb.recomputed).toHaveLength(1);
    const { start, end } = nb.recomputed[0];
    expect(nb.nodes.slice(start, end).map((n) => n.op)).toEqual(['sigmoid', 'mul', 'mul']);
  });
});
