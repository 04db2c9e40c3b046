import { GraphBuilder, type HostTensor, ops, ReferenceBackend, seededRandom } from '@tunekit/core';
import { F32_TOLERANCE, fillInput, firstMismatch } from '@tunekit/core/testing';
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../../webgpu-backend.js';
import { KERNELS } from '../kernel-table.js';

describe('fused kernels on lanes longer than a workgroup', () => {
  it('softmax, log_softmax and rms_norm over 300 values (several per invocation) match the reference', async () => {
    expect(KERNELS.softmax && KERNELS.log_softmax && KERNELS.rms_norm).toBeTruthy();
    const random = seededRandom(3);
    const b = new GraphBuilder();
    const x = b.input('x', [3, 300]);
    const w = b.input('w', [300]);
    const graph = b.build({
      soft: x.softmax(-1),
      soft0: x.softmax(0),
      logsoft: x.logSoftmax(-1),
      rms: ops.rmsNorm(x, w, 1e-6),
    });
    const feeds: Record<string, HostTensor> = {
      x: fillInput({ shape: [3, 300] }, random),
      w: fillInput({ shape: [300] }, random),
    };
    const want = await new ReferenceBackend({ precision: 'f64' }).compile(graph).run(feeds);
    const backend = await WebGpuBackend.create();
    const got = await backend.compile(graph).run(feeds);
    for (const name of Object.keys(want)) {
      expect(
        firstMismatch(got[name].toFloat64(), want[name].toFloat64(), F32_TOLERANCE),
        name,
      ).toBeNull();
    }
    backend.dispose();
  });
});
