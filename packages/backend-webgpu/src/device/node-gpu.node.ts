import { UserError } from '@tunekit/core';
import type { DeviceOptions } from './request-device.js';

/**
 * Node's WebGPU: the `webgpu` package (Dawn), imported only here and only in Node. Dawn's Vulkan
 * backend takes the drivers the Vulkan loader finds; `VK_ICD_FILENAMES` chooses one (SwiftShader
 * where there is no GPU). It is never set here: on a machine with a GPU it would hide the GPU.
 */
export function nodeGpu(opts: DeviceOptions): Promise<GPU> {
  const key = (opts.dawnOptions ?? DEFAULT_OPTIONS).join(' ');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = createGpu(opts.dawnOptions ?? DEFAULT_OPTIONS);
    instances.set(key, gpu);
  }
  return gpu;
}

const DEFAULT_OPTIONS = ['backend=vulkan'];

/** One Dawn instance per set of options for the process: each holds a Vulkan instance and threads. */
const instances = new Map<string, Promise<GPU>>();

async function createGpu(dawnOptions: readonly string[]): Promise<GPU> {
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new UserError(
      `webgpu backend: cannot load the 'webgpu' package (Dawn for Node): ${(e as Error).message}`,
    );
  }
  Object.assign(globalThis, webgpu.globals); // GPUBufferUsage, GPUMapMode, GPUShaderStage
  return webgpu.create([...dawnOptions]);
}
