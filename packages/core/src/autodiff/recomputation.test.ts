import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/node.js';
import { HostTensor } from '../tensor/index.js';
import { grad } from './grad.js';

/** loss = sum(tanh(tanh(x @ w1) @ w2)), the middle as one checkpointed segment or not. */
function chain(checkpointed: boolean): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [2, 3]);
  const w1 = b.input('w1', [3, 3], 'f32', 'param');
  const w2 = b.input('w2', [3, 3], 'f32', 'param');
  const layer = () => x.matmul(w1).tanh().matmul(w2);
  const y = (checkpointed ? b.checkpoint(layer) : layer()).tanh();
  const loss = y.sum();
  const [g1, g2] = grad(loss, [w1, w2]);
  return b.build({ loss, g1: g1 ?? loss, g2: g2 ?? loss });
}

const consumers = (graph: Graph, id: number) =>
  graph.nodes.filter((n) => n.inputs.includes(id)).length;
const feeds = {
  x: HostTensor.from('f32', [2, 3], [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]),
  w1: HostTensor.from('f32', [3, 3], [0.2, 0.1, -0.3, 0.5, -0.4, 0.2, 0.1, 0.3, 0.6]),
  w2: HostTensor.from('f32', [3, 3], [-0.1, 0.4, 0.2, 0.3, 0.2, -0.5, 0.7, -0.2, 0.1]),
};

describe('gradient checkpointing (recomputed segments)', () => {
  it("differentiates a segment at a copy, so the forward's inner values feed only the forward", () => {
    const plain = chain(false);
    const recomputed = chain(true);
    const tanhOf = (graph: Graph) => graph.nodes.find((n) => n.op === 'tanh')?.id as number;
    // without: the first tanh is read by the forward matmul and by the backward (dw2, dtanh)
    expect(consumers(plain, tanhOf(plain))).toBeGreaterThan(1);
    expect(consumers(recomputed, tanhOf(recomputed))).toBe(1);
    const ops = recomputed.nodes.map((n) => n.op);
    expect(ops.filter((op) => op === 'optimization_barrier')).toHaveLength(1);
    expect(ops.filter((op) => op === 'tanh')).toHaveLength(
      plain.nodes.filter((n) => n.op === 'tanh').length + 1,
    );
  });

  it('waits for the cotangent of the segment: the barrier reads it', () => {
    const graph = chain(true);
    const barrier = graph.nodes.find((n) => n.op === 'optimization_barrier');
    const after = graph.nodes[barrier?.inputs[1] as number];
    // the cotangent of the segment's output d tanh = dy * (1 - y^2), which needs the forward's y
    const forwardOut = graph.nodes.filter((n) => n.op === 'tanh')[1];
    expect(after.id).toBeGreaterThan(forwardOut.id);
    expect(graph.nodes[barrier?.inputs[0] as number].op).toBe('input');
  });

  it('gives the gradients of the plain backward pass', async () => {
    const want = await evaluate(chain(false), feeds, 'f64');
    const got = await evaluate(chain(true), feeds, 'f64');
    for (const name of ['loss', 'g1', 'g2'])
      expect(got[name].toArray()).toEqual(want[name].toArray());
  });

  it('treats a segment traced inside another as part of the outer one', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    b.checkpoint(() => b.checkpoint(() => x.exp()).exp());
    expect(b.checkpoints).toEqual([{ start: 1, end: b.nodes.length }]);
  });
});

/** loss = sum((tanh(h) * h) @ w2) with h = x @ w1, the elementwise middle recomputed or not. */
function selective(recomputed: boolean): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [2, 3]);
  const w1 = b.input('w1', [3, 3], 'f32', 'param');
  const w2 = b.input('w2', [3, 3], 'f32', 'param');
  const h = x.matmul(w1);
  const act = () => h.tanh().mul(h);
  // w2's gradient reads the segment's output, the segment's own backward its inner tanh
  const loss = (recomputed ? b.recompute(act) : act()).matmul(w2).sum();
  const [g1, g2] = grad(loss, [w1, w2]);
  return b.build({ loss, g1: g1 ?? loss, g2: g2 ?? loss });
}

describe('selective recomputation (recomputed segments)', () => {
  it('leaves none of the forward values of a segment, its output included, to the backward', () => {
    const plain = selective(false);
    const recomputed = selective(true);
    const loss = (graph: Graph) => graph.outputs.find((o) => o.name === 'loss')?.node as number;
    const forwardOf = (graph: Graph, op: string) =>
      graph.nodes.find((n) => n.op === op && n.id < loss(graph))?.id as number;
    for (const op of ['tanh', 'mul']) {
      expect(consumers(plain, forwardOf(plain, op))).toBeGreaterThan(1);
      expect(consumers(recomputed, forwardOf(recomputed, op))).toBe(1);
    }
    const barriers = recomputed.nodes.filter((n) => n.op === 'optimization_barrier');
    expect(barriers).toHaveLength(1);
    // the copy reads the segment's input once the backward has begun
    const [input, after] = barriers[0].inputs;
    expect(recomputed.nodes[input].op).toBe('matmul');
    expect(after).toBeGreaterThan(loss(recomputed));
  });

  it('gives the gradients of the plain backward pass', async () => {
    const want = await evaluate(selective(false), feeds, 'f64');
    const got = await evaluate(selective(true), feeds, 'f64');
    for (const name of ['loss', 'g1', 'g2'])
      expect(got[name].toArray()).toEqual(want[name].toArray());
  });

  it('is part of a checkpointed segment around it, and holds no checkpointed segment', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    b.checkpoint(() => b.recompute(() => x.exp()).exp());
    expect(b.recomputed).toEqual([]);
    expect(() => b.recompute(() => b.checkpoint(() => x.exp()))).toThrow(/inside a recomputed/);
  });
});
