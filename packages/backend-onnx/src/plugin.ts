import { type BackendFactory, TOKENS, type TunekitPlugin } from '@tunekit/core';
import { OnnxBackend } from './onnx-backend.js';

export const onnxBackendFactory: BackendFactory = {
  id: 'onnx',
  // preferred over the reference backend; a GPU backend outranks it
  priority: 1,
  isAvailable: () => typeof process !== 'undefined' && process.versions?.node !== undefined,
  create: () => new OnnxBackend(),
};

export const plugin: TunekitPlugin = {
  name: '@tunekit/backend-onnx',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.BackendFactory, { useValue: onnxBackendFactory });
  },
};
