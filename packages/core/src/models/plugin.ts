// Leaf modules, not plugin/index.ts: that index re-exports `corePlugins`, which imports this file.
import { CORE_VERSION } from '../plugin/core-version.js';
import type { TunekitPlugin } from '../plugin/plugin.js';
import { TOKENS } from '../plugin/tokens.js';
import { builtinModelFamilies } from './families.js';

/** core's model families (Llama, Mistral, Qwen2, GPT-2), each under `TOKENS.ModelFamily`. */
export const modelFamiliesPlugin: TunekitPlugin = {
  name: '@tunekit/core/models',
  coreRange: CORE_VERSION,
  register(container) {
    for (const family of builtinModelFamilies)
      container.register(TOKENS.ModelFamily, { useValue: family });
  },
};
