// Leaf modules, not plugin/index.ts: that index re-exports `corePlugins`, which imports this file.
import { CORE_VERSION } from '../../plugin/core-version.js';
import type { TunekitPlugin } from '../../plugin/plugin.js';
import { TOKENS } from '../../plugin/tokens.js';
import type { BackendFactory } from '../backend.js';
import { ReferenceBackend } from './reference-backend.js';

/** The reference backend: always available, lowest priority, so any real backend is preferred. */
export const referenceBackendFactory: BackendFactory = {
  id: 'reference',
  priority: 0,
  isAvailable: () => true,
  create: (opts) => new ReferenceBackend({ precision: opts?.precision ?? 'f32' }),
};

export const referenceBackendPlugin: TunekitPlugin = {
  name: '@tunekit/core',
  coreRange: CORE_VERSION,
  register(container) {
    container.register(TOKENS.BackendFactory, { useValue: referenceBackendFactory });
  },
};
