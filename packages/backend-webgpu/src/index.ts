export {
  F16_WEIGHTS,
  type F16Weights,
  type WeightStorage,
  weightStorage,
} from './device/f16-weights.js';
export {
  type DeviceOptions,
  type GpuContext,
  noAdapterMessage,
  requestAdapter,
  requestGpu,
} from './device/request-device.js';
export { SWIFTSHADER_ICD } from './device/swiftshader.js';
export { KERNELS } from './kernels/kernel-table.js';
export { type CompiledGraph, type CompileOptions, compileGraph } from './plan/compile-graph.js';
export { plugin, webgpuBackendFactory } from './plugin.js';
export { WebGpuBackend, type WebGpuBackendOptions } from './webgpu-backend.js';
export { WebGpuDeviceTensor } from './webgpu-device-tensor.js';
export { WebGpuExecutable } from './webgpu-executable.js';
export {
  type WebGpuOptions,
  webGpuBackendOptions,
  webgpuOptionsSchema,
} from './webgpu-options.js';
