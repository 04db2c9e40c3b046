import { UserError } from '@tunekit/core';
import { nodeGpu } from '#node-gpu';
import { SWIFTSHADER_ICD } from './swiftshader.js';

export interface DeviceOptions {
  /** Dawn toggles/options for Node's `webgpu` package; default `['backend=vulkan']`. */
  readonly dawnOptions?: readonly string[];
  /**
   * Row reductions with subgroup operations where the adapter has `subgroups` (and WGSL's
   * `subgroup_id`); false keeps the workgroup-memory path. Default true.
   */
  readonly subgroups?: boolean;
}

/** What the executable needs to know about the adapter: its limits, checked at compile time. */
export interface GpuContext {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  readonly adapterInfo: string;
  /** Whether kernels may use subgroup operations (the device has the `subgroups` feature). */
  readonly subgroups: boolean;
  /** The device was created with `shader-f16` (WGSL `enable f16`): the adapter offers it. */
  readonly shaderF16: boolean;
}

/**
 * A WebGPU device: `navigator.gpu` in a browser, else the `webgpu` npm package (Dawn) in Node.
 * Requests the adapter's own limits, so kernels may use all it offers (storage buffers per stage,
 * workgroup memory), and `shader-f16` where it has it; the compiler checks each kernel against them.
 */
export async function requestGpu(opts: DeviceOptions = {}): Promise<GpuContext> {
  const gpu = await gpuOf(opts);
  const adapter = await adapterOf(gpu);
  const required = [
    'maxStorageBuffersPerShaderStage',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
  ] as const;
  const requiredLimits = Object.fromEntries(required.map((k) => [k, adapter.limits[k]]));
  const shaderF16 = adapter.features.has('shader-f16');
  const subgroups =
    opts.subgroups !== false &&
    adapter.features.has('subgroups') &&
    gpu.wgslLanguageFeatures.has('subgroup_id');
  const requiredFeatures: GPUFeatureName[] = [
    ...(shaderF16 ? ['shader-f16' as const] : []),
    ...(subgroups ? ['subgroups' as GPUFeatureName] : []),
  ];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = adapter.info;
  return {
    device,
    limits: device.limits,
    adapterInfo: [info.vendor, info.architecture, info.description].filter(Boolean).join(' '),
    subgroups,
    shaderF16: device.features.has('shader-f16'),
  };
}

/** The adapter, or a UserError saying which setting would provide one. */
export async function requestAdapter(opts: DeviceOptions = {}): Promise<GPUAdapter> {
  return adapterOf(await gpuOf(opts));
}

async function gpuOf(opts: DeviceOptions): Promise<GPU> {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? (await nodeGpu(opts));
}

async function adapterOf(gpu: GPU): Promise<GPUAdapter> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new UserError(noAdapterMessage());
  return adapter;
}

/** Which setting provides an adapter where there is no GPU. */
export function noAdapterMessage(): string {
  const inNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  return inNode
    ? `webgpu backend: no WebGPU adapter. Without a GPU, install Debian's chromium and libvulkan1 (apt-get install chromium libvulkan1) and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (SwiftShader, a software GPU); or use backend: onnx`
    : 'webgpu backend: this browser offers no WebGPU adapter (navigator.gpu); enable WebGPU (Chromium: --enable-unsafe-webgpu) or use another backend';
}
