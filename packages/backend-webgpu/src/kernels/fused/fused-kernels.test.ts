import { GraphBuilder, type HostTensor, ops, ReferenceBackend, seededRandom } from '@tunekit/core';
import { F32_TOLERANCE, fillInput, firstMismatch } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICD } from '../../device/swiftshader.js';
import { compileGraph } from '../../plan/compile-graph.js';
import { WebGpuBackend } from '../../webgpu-backend.js';
import { KERNELS } from '../kernel-table.js';

/** Row reductions over 300 values (several per invocation) and the reference's f64 results. */
async function rowReductions() {
  const random = seededRandom(3);
  const b = new GraphBuilder();
  const x = b.input('x', [3, 300]);
  const w = b.input('w', [300]);
  const labels = b.input('labels', [3], 'i32');
  const graph = b.build({
    soft: x.softmax(-1),
    soft0: x.softmax(0),
    logsoft: x.logSoftmax(-1),
    rms: ops.rmsNorm(x, w, 1e-6),
    ce: ops.crossEntropy(x, labels, { label_smoothing: 0.2, reduction: 'none' }),
  });
  const feeds: Record<string, HostTensor> = {
    x: fillInput({ shape: [3, 300] }, random),
    w: fillInput({ shape: [300] }, random),
    labels: fillInput({ shape: [3], dtype: 'i32', fill: [299, 0, 17] }, random),
  };
  const want = await new ReferenceBackend({ precision: 'f64' }).compile(graph).run(feeds);
  return { graph, feeds, want };
}

describe('fused kernels on lanes longer than a workgroup', () => {
  for (const subgroups of [true, false]) {
    it(`softmax, log_softmax, rms_norm and cross_entropy match the reference (subgroups: ${subgroups})`, async () => {
      expect(KERNELS.softmax && KERNELS.log_softmax && KERNELS.rms_norm).toBeTruthy();
      const { graph, feeds, want } = await rowReductions();
      const backend = await WebGpuBackend.create({ subgroups });
      // SwiftShader has subgroups, so both reduction paths run there
      if (process.env.VK_ICD_FILENAMES === SWIFTSHADER_ICD)
        expect(backend.gpu.subgroups).toBe(subgroups);
      const { steps } = compileGraph(graph, backend.gpu.limits, {
        subgroups: backend.gpu.subgroups,
      });
      const reductions = steps.filter((s) => s.kernel.source.includes('fn wg_sum'));
      expect(reductions).toHaveLength(5);
      for (const { kernel } of reductions)
        expect(kernel.source.includes('subgroupAdd')).toBe(backend.gpu.subgroups);
      const got = await backend.compile(graph).run(feeds);
      backend.dispose();
      for (const name of Object.keys(want)) {
        expect(
          firstMismatch(got[name].toFloat64(), want[name].toFloat64(), F32_TOLERANCE),
          name,
        ).toBeNull();
      }
    });
  }
});
