import type { DeviceTensor, DType, Shape } from '@tunekit/core';

/** A persistent tensor in one GPU buffer (device words, see host-data.ts). */
export class WebGpuDeviceTensor implements DeviceTensor {
  readonly backendId = 'webgpu';
  constructor(
    readonly buffer: GPUBuffer,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}
}
