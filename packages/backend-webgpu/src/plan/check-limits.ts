import { type Node, UserError } from '@tunekit/core';
import type { Kernel } from '../kernels/kernel.js';

export type KernelLimits = Pick<
  GPUSupportedLimits,
  | 'maxStorageBuffersPerShaderStage'
  | 'maxComputeWorkgroupStorageSize'
  | 'maxComputeInvocationsPerWorkgroup'
  | 'maxComputeWorkgroupsPerDimension'
  | 'maxStorageBufferBindingSize'
>;

/** A kernel the adapter cannot run is a compile-time error naming the node and the limit. */
export function checkLimits(kernel: Kernel, node: Node, limits: KernelLimits): void {
  const fail = (what: string, need: number, limit: keyof KernelLimits) => {
    throw new UserError(
      `webgpu backend: op '${node.op}' (node %${node.id}, shape [${node.shape.join(', ')}]) needs ${need} ${what}; the adapter allows ${limits[limit]} (${limit})`,
    );
  };
  const buffers = kernel.inputs.length + 1;
  if (buffers > limits.maxStorageBuffersPerShaderStage)
    fail('storage buffers', buffers, 'maxStorageBuffersPerShaderStage');
  if (kernel.workgroupBytes > limits.maxComputeWorkgroupStorageSize)
    fail('bytes of workgroup memory', kernel.workgroupBytes, 'maxComputeWorkgroupStorageSize');
  if (kernel.invocations > limits.maxComputeInvocationsPerWorkgroup)
    fail('invocations per workgroup', kernel.invocations, 'maxComputeInvocationsPerWorkgroup');
  const groups = Math.max(...kernel.workgroups);
  if (groups > limits.maxComputeWorkgroupsPerDimension)
    fail('workgroups in one dimension', groups, 'maxComputeWorkgroupsPerDimension');
}
