import { GraphBuilder, grad, ops } from '@tunekit/core';
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
// more rows than a workgroup has invocations: each row's workgroup counts the rows that count
CASES.push({
  name: '130 rows, 70 classes, reduction mean',
  inputs: [
    { shape: [130, 70] },
    {
      shape: [130],
      dtype: 'i32',
      fill: [...Array(130).keys()].map((i) => (i % 5 ? i % 70 : -100)),
    },
  ],
  build: (x, y) => ops.crossEntropy(x, y),
});

describe('cross_entropy kernel', () => {
  for (const c of CASES) {
    it(`${c.name}: loss and gradient match the reference`, async () => {
      expect(await compareOnCase(() => WebGpuBackend.create(), c, 9, F32_TOLERANCE)).toBeNull();
    });
  }

  it("keeps the op for reduction 'none', reduces its rows for 'mean', and fuses the backward", async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [7, 300]);
    const y = b.input('y', [7], 'i32');
    const loss = ops.crossEntropy(x, y);
    const [dx] = grad(loss, [x]);
    const graph = b.build({ loss, dx: dx ?? loss });
    const backend = await WebGpuBackend.create();
    const { graph: lowered, steps } = compileGraph(graph, backend.gpu.limits);
    backend.dispose();
    const ce = lowered.nodes.filter((n) => n.op === 'cross_entropy');
    expect(ce.map((n) => n.attrs)).toEqual([
      { ignore_index: -100, label_smoothing: 0, reduction: 'none' },
    ]);
    const opsRun = steps.map((s) => lowered.nodes[s.node].op);
    expect(opsRun).toContain('cross_entropy_backward');
    expect(opsRun).not.toContain('softmax');
    expect(opsRun).not.toContain('log_softmax');
  });
});
