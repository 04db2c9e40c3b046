import { join } from 'node:path';
import {
  type BackendFactory,
  type BackendOptions,
  TOKENS,
  type TunekitPlugin,
  tunekitCacheDir,
} from '@tunekit/core';
import { OnnxBackend } from './onnx-backend.js';
import { type OnnxOptions, onnxOptionsSchema } from './onnx-options.js';

export const onnxBackendFactory: BackendFactory<OnnxOptions> = {
  id: 'onnx',
  // preferred over the reference backend; a GPU backend outranks it
  priority: 1,
  isAvailable: () => typeof process !== 'undefined' && process.versions?.node !== undefined,
  optionsSchema: onnxOptionsSchema,
  create: (opts = {}) =>
    new OnnxBackend({
      sessionCache: sessionCacheOf(opts),
      frozenWeights: opts.backendOptions?.frozen_weights,
      threads: opts.backendOptions?.intra_op_num_threads,
    }),
};

/** Optimized sessions go to `onnx-sessions` under the cache folder asked for, or tunekit's own. */
function sessionCacheOf({ cacheDir }: BackendOptions<OnnxOptions>) {
  if (cacheDir === false) return undefined;
  return { dir: join(cacheDir ?? tunekitCacheDir(), 'onnx-sessions') };
}

export const plugin: TunekitPlugin = {
  name: '@tunekit/backend-onnx',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.BackendFactory, { useValue: onnxBackendFactory });
  },
};
