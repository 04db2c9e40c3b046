import { GraphBuilder, grad, ops, segmentMask, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import type { KernelLimits } from '../../plan/check-limits.js';
import { compileGraph } from '../../plan/compile-graph.js';

/** WebGPU compatibility mode's limits where they bind (Mesa llvmpipe on OpenGL ES: 8 buffers). */
const COMPAT: KernelLimits = {
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 128,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 128 * 2 ** 20,
};

/** Masked attention over packed segments and a cross-entropy loss, with the gradients of q, k, v. */
function attentionStep(headDim: number) {
  const b = new GraphBuilder();
  const q = b.input('q', [1, 4, 16, headDim]);
  const k = b.input('k', [1, 2, 16, headDim]);
  const v = b.input('v', [1, 2, 16, headDim]);
  const segments = b.input('segments', [1, 16], 'i32');
  const labels = b.input('labels', [16], 'i32');
  const y = ops.causalAttention(q, k, v, { mask: segmentMask(segments) });
  const loss = ops.crossEntropy(
    y.reshape([64, headDim]),
    labels.broadcastTo([4, 16]).reshape([64]),
  );
  const grads = grad(loss, [q, k, v]).flatMap((g, i) => (g ? [[`d${'qkv'[i]}`, g] as const] : []));
  return b.build({ loss, ...Object.fromEntries(grads) });
}

describe('fused kernels against the adapter limits', () => {
  it('fit compatibility-mode limits up to head dim 128 (7 storage buffers, 16 KiB tiles)', () => {
    const { steps, graph } = compileGraph(attentionStep(128), COMPAT);
    const fused = steps.filter((s) => graph.nodes[s.node].op.startsWith('flash_attention'));
    expect(fused).toHaveLength(3); // forward, dq, dk and dv
    for (const { kernel } of steps) {
      expect(kernel.inputs.length + 1).toBeLessThanOrEqual(8);
      expect(kernel.workgroupBytes).toBeLessThanOrEqual(16384);
    }
  });

  it('a kernel over the adapter limits is a compile-time error naming the op and the limit', () => {
    expect(() =>
      compileGraph(attentionStep(8), { ...COMPAT, maxStorageBuffersPerShaderStage: 6 }),
    ).toThrow(
      /op 'flash_attention_backward' .* needs 7 storage buffers; the adapter allows 6 \(maxStorageBuffersPerShaderStage\)/,
    );
    // one key row of k and v (the smallest tile) is 32 KiB at head dim 4096
    const compileHuge = () => compileGraph(attentionStep(4096), COMPAT);
    expect(compileHuge).toThrow(UserError);
    expect(compileHuge).toThrow(
      /op 'flash_attention' .* needs 32768 bytes of workgroup memory; the adapter allows 16384 \(maxComputeWorkgroupStorageSize\)/,
    );
  });
});
