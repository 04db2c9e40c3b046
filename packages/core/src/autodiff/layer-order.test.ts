import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/node.js';
import { HostTensor } from '../tensor/index.js';
import { grad } from './grad.js';

/**
 * loss = sum(tanh(tanh(x @ w1) @ w2)): two layers, traced as `GraphBuilder.layer`s (with or
 * without recomputation) or plainly.
 */
function twoLayers(mode: 'plain' | 'layers' | 'checkpointed'): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [2, 3]);
  const layer = (fn: () => ReturnType<typeof x.tanh>) =>
    mode === 'plain' ? fn() : b.layer(() => (mode === 'checkpointed' ? b.checkpoint(fn) : fn()));
  // each parameter is declared where its layer first reads it, as TraceContext does
  const h = layer(() => x.matmul(b.input('w1', [3, 3], 'f32', 'param')).tanh());
  const y = layer(() => h.matmul(b.input('w2', [3, 3], 'f32', 'param')).tanh());
  const loss = y.sum();
  const w1 = b.graphInputs()[1];
  const w2 = b.graphInputs()[2];
  const [g1, g2] = grad(loss, [b.tensorOf(w1.node), b.tensorOf(w2.node)]);
  return b.build({ loss, g1: g1 ?? loss, g2: g2 ?? loss });
}

/** Whether node `from` is computed from node `to` (a path of inputs leads back to it). */
function dependsOn(graph: Graph, from: number, to: number): boolean {
  const seen = new Set<number>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() as number;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...graph.nodes[id].inputs);
  }
  return false;
}

const output = (graph: Graph, name: string) =>
  graph.outputs.find((o) => o.name === name)?.node as number;
const feeds = {
  x: HostTensor.from('f32', [2, 3], [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]),
  w1: HostTensor.from('f32', [3, 3], [0.2, 0.1, -0.3, 0.5, -0.4, 0.2, 0.1, 0.3, 0.6]),
  w2: HostTensor.from('f32', [3, 3], [-0.1, 0.4, 0.2, 0.3, 0.2, -0.5, 0.7, -0.2, 0.1]),
};

describe('the backward pass of layers', () => {
  it("finishes a layer's weight gradient before the layer below: the cotangent waits for it", () => {
    for (const mode of ['layers', 'checkpointed'] as const) {
      const graph = twoLayers(mode);
      // the lower layer's gradient is computed from the upper layer's, through a barrier
      expect(dependsOn(graph, output(graph, 'g1'), output(graph, 'g2'))).toBe(true);
    }
    const plain = twoLayers('plain');
    expect(dependsOn(plain, output(plain, 'g1'), output(plain, 'g2'))).toBe(false);
  });

  it('gives the gradients of the plain backward pass', async () => {
    const want = await evaluate(twoLayers('plain'), feeds, 'f64');
    for (const mode of ['layers', 'checkpointed'] as const) {
      const got = await evaluate(twoLayers(mode), feeds, 'f64');
      for (const name of ['loss', 'g1', 'g2'])
        expect(got[name].toArray()).toEqual(want[name].toArray());
    }
  });

  it('records a layer traced inside another as part of the outer one', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    b.layer(() => b.layer(() => x.exp()).exp());
    expect(b.layers).toEqual([{ start: 1, end: b.nodes.length }]);
  });
});
