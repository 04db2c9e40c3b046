import { type BackendFactory, TOKENS, type TunekitPlugin } from '@tunekit/core';
import { requestAdapter } from './device/request-device.js';
import { WebGpuBackend } from './webgpu-backend.js';
import { type WebGpuOptions, webGpuBackendOptions, webgpuOptionsSchema } from './webgpu-options.js';

export const webgpuBackendFactory: BackendFactory<WebGpuOptions> = {
  id: 'webgpu',
  // Between the reference backend (0) and onnx (1): preferred where onnx is not installed (a
  // browser), never chosen over onnx unasked, since the adapter found may be a software one
  // (SwiftShader, lavapipe) far slower than onnxruntime on the same CPU.
  priority: 0.5,
  // no adapter: throws the UserError that names the setting that would provide one
  isAvailable: async () => (await requestAdapter()) !== null,
  optionsSchema: webgpuOptionsSchema,
  create: (opts) => WebGpuBackend.create(webGpuBackendOptions(opts?.backendOptions)),
};

export const plugin: TunekitPlugin = {
  name: '@tunekit/backend-webgpu',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.BackendFactory, { useValue: webgpuBackendFactory });
  },
};
