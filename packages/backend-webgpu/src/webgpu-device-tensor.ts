import type { DeviceTensor, DType, Shape } from '@tunekit/core';

/**
 * A persistent tensor in one GPU buffer: device words (see host-data.ts), or f16 halves
 * (kernels/half.ts) once a graph that stores it so has packed it (the buffer is then replaced).
 */
export class WebGpuDeviceTensor implements DeviceTensor {
  readonly backendId = 'webgpu';
  constructor(
    public buffer: GPUBuffer,
    readonly shape: Shape,
    readonly dtype: DType,
    public halves = false,
  ) {}
}
