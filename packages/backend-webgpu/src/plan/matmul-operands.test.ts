import { GraphBuilder, HostTensor } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../webgpu-backend.js';
import { compileGraph } from './compile-graph.js';
import { halfInputs } from './half-inputs.js';
import { liveNodes } from './live-nodes.js';
import { foldMatmulOperands } from './matmul-operands.js';

/** A linear layer and its input gradient: y = x @ W^T, dx = dy @ (W^T)^T, then a norm weight. */
function linear() {
  const b = new GraphBuilder();
  const x = b.input('x', [2, 3, 4]);
  const w = b.input('w', [5, 4], 'f32', 'frozen');
  const dy = b.input('dy', [2, 3, 5]);
  const g = b.input('g', [5], 'f32', 'frozen');
  const wt = w.transpose();
  return b.build({ y: x.matmul(wt).mul(g), dx: dy.matmul(wt.transpose()) });
}

/** Limits no kernel here comes near. */
const LIMITS = {
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 1 << 27,
};

describe('matmul operands', () => {
  it('reads a weight past its transposes, which are then never computed', () => {
    const graph = linear();
    const folded = [...foldMatmulOperands(graph).values()];
    const w = graph.inputs.find((i) => i.name === 'w')?.node;
    expect(folded.map(([, b]) => b)).toEqual([
      { node: w, transposed: true },
      { node: w, transposed: false },
    ]);
    const program = compileGraph(graph, LIMITS);
    const ops = program.steps.map((s) => program.graph.nodes[s.node].op);
    expect(ops).not.toContain('transpose');
    expect(ops.filter((op) => op === 'matmul')).toHaveLength(2);
  });

  it('stores as halves only the frozen weights that matmuls alone read', () => {
    const graph = linear();
    const folded = foldMatmulOperands(graph);
    const inputsOf = (n: (typeof graph.nodes)[number]) =>
      folded.get(n.id)?.map((o) => o.node) ?? n.inputs;
    expect([...halfInputs(graph, liveNodes(graph, inputsOf), inputsOf)]).toEqual(['w']);
  });
});

// the folded reads compute what the transposes would: checked on the device
describe('folded matmuls on the device', () => {
  it('give x @ W^T and dy @ W', async () => {
    const backend = await WebGpuBackend.create();
    const x = HostTensor.from(
      'f32',
      [2, 3, 4],
      Array.from({ length: 24 }, (_, i) => i / 7 - 1),
    );
    const w = HostTensor.from(
      'f32',
      [5, 4],
      Array.from({ length: 20 }, (_, i) => (i % 6) / 3 - 0.5),
    );
    const dy = HostTensor.from(
      'f32',
      [2, 3, 5],
      Array.from({ length: 30 }, (_, i) => 1 - i / 11),
    );
    const g = HostTensor.from('f32', [5], [1, 1, 1, 1, 1]);
    const out = await backend.compile(linear()).run({ x, w: backend.upload(w), dy, g });
    const at = (t: HostTensor, i: number) => (t.data as Float32Array)[i];
    for (let r = 0; r < 6; r++) {
      for (let o = 0; o < 5; o++) {
        let y = 0;
        for (let i = 0; i < 4; i++) y += at(x, r * 4 + i) * at(w, o * 4 + i);
        expect(at(out.y, r * 5 + o)).toBeCloseTo(y, 5);
      }
      for (let i = 0; i < 4; i++) {
        let dx = 0;
        for (let o = 0; o < 5; o++) dx += at(dy, r * 5 + o) * at(w, o * 4 + i);
        expect(at(out.dx, r * 4 + i)).toBeCloseTo(dx, 5);
      }
    }
    backend.dispose();
  });
});
