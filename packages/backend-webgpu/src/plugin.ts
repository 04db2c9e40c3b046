import { type BackendFactory, TOKENS, type TunekitPlugin } from '@tunekit/core';
import { WebGpuBackend } from './webgpu-backend.js';

export const webgpuBackendFactory: BackendFactory = {
  id: 'webgpu',
  // a GPU outranks onnx (1) when the config names no backend... but only where an adapter exists
  priority: 2,
  isAvailable: async () => {
    try {
      const backend = await WebGpuBackend.create();
      backend.dispose();
      return true;
    } catch {
      return false;
    }
  },
  create: () => WebGpuBackend.create(),
};

export const plugin: TunekitPlugin = {
  name: '@tunekit/backend-webgpu',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.BackendFactory, { useValue: webgpuBackendFactory });
  },
};
