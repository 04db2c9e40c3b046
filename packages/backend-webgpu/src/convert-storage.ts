import { sizeOf } from '@tunekit/core';
import { convertHalvesSource, convertHalvesWorkgroups, halfBytes } from './kernels/half.js';
import type { PipelineCache } from './pipeline-cache.js';
import type { WebGpuDeviceTensor } from './webgpu-device-tensor.js';

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * Encodes the conversion of a device tensor to halves (or back to f32 words) into a new buffer,
 * which replaces the tensor's; returns the old buffer, to destroy once the work is submitted. A
 * weight uploaded in f32 is packed so by the first run of a graph that stores it as halves.
 */
export function convertStorage(
  device: GPUDevice,
  pipelines: PipelineCache,
  encoder: GPUCommandEncoder,
  tensor: WebGpuDeviceTensor,
  toHalves: boolean,
): GPUBuffer {
  const n = sizeOf(tensor.shape);
  const converted = device.createBuffer({
    size: toHalves ? halfBytes(n) : 4 * Math.max(1, n),
    usage: STORAGE(),
  });
  const pipeline = pipelines.get(convertHalvesSource(n, toHalves));
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [tensor.buffer, converted].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      })),
    }),
  );
  pass.dispatchWorkgroups(...convertHalvesWorkgroups(n, toHalves));
  pass.end();
  const old = tensor.buffer;
  tensor.buffer = converted;
  tensor.halves = toHalves;
  return old;
}
