import { GraphBuilder, ops } from '@tunekit/core';
import { compareOnCase, F32_TOLERANCE, type OpCase } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../plan/compile-graph.js';
import { WebGpuBackend } from '../../webgpu-backend.js';

const LABELS = [3, -100, 299, 0, 150, -100, 7];
const logitsAndLabels = [{ shape: [7, 300] }, { shape: [7], dtype: 'i32' as const, fill: LABELS }];

// Rows longer than a workgroup (300 classes over 64 invocations), ignored rows, every reduction.
const CASES: OpCase[] = (['none', 'sum', 'mean'] as const).map((reduction) => ({
  name: `300 classes, smoothing 0.1, reduction ${reduction}`,
  inputs: logitsAndLabels,
  build: (x, y) => ops.crossEntropy(x, y, { label_smoothing: 0.1, reduction }),
}));

describe('cross_entropy kernel', () => {
  for (const c of CASES) {
    it(`${c.name}: loss and gradient match the reference`, async () => {
      expect(await compareOnCase(() => WebGpuBackend.create(), c, 9, F32_TOLERANCE)).toBeNull();
    });
  }

  it("keeps the op for reduction 'none' and reduces its rows for 'mean'", async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [7, 300]);
    const y = b.input('y', [7], 'i32');
    const graph = b.build({ loss: ops.crossEntropy(x, y) });
    const backend = await WebGpuBackend.create();
    const { graph: lowered } = compileGraph(graph, backend.gpu.limits);
    backend.dispose();
    const ce = lowered.nodes.filter((n) => n.op === 'cross_entropy');
    expect(ce.map((n) => n.attrs)).toEqual([
      { ignore_index: -100, label_smoothing: 0, reduction: 'none' },
    ]);
    expect(lowered.nodes.some((n) => n.op === 'log_softmax')).toBe(false);
  });
});
