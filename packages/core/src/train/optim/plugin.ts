// Leaf modules, not plugin/index.ts: that index re-exports `corePlugins`, which imports this file.
import { CORE_VERSION } from '../../plugin/core-version.js';
import type { TunekitPlugin } from '../../plugin/plugin.js';
import { TOKENS } from '../../plugin/tokens.js';
import { ADAMW_TORCH } from './optimizer-factory.js';

/** core's optimizer under transformers' `optim` name; other packages register theirs the same way. */
export const coreOptimizersPlugin: TunekitPlugin = {
  name: '@tunekit/core/optimizers',
  coreRange: CORE_VERSION,
  register(container) {
    container.register(TOKENS.OptimizerFactory, { useValue: ADAMW_TORCH });
  },
};
