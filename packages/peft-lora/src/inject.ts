import { adapterInjector, fullMatch } from '@tunekit/core';
import type { LoraConfig } from './config.js';
import { DEFAULT_TARGET_MODULES } from './default-targets.js';
import type { LoraLayerOptions } from './lora-linear.js';

/**
 * Adds LoRA adapter `adapterName` to `model` (PEFT's `LoraModel.inject_adapter`): core's injector,
 * with each layer's rank and alpha from `rank_pattern` and `alpha_pattern` (PEFT's
 * `_create_and_replace`).
 */
export const injectLora = adapterInjector<LoraConfig, LoraLayerOptions>({
  method: 'lora',
  modelTypeDefaults: { target_modules: DEFAULT_TARGET_MODULES },
  layerOptions: ({ path, index, config }) => ({
    r: patternValue(config.rank_pattern, path, 'rank_pattern') ?? config.r,
    lora_alpha: patternValue(config.alpha_pattern, path, 'alpha_pattern') ?? config.lora_alpha,
    lora_dropout: config.lora_dropout,
    use_rslora: config.use_rslora,
    use_dora: config.use_dora,
    init_lora_weights: config.init_lora_weights,
    dropoutSalt: index,
  }),
});

/**
 * The value of the first pattern that matches the end of `path` (PEFT's `get_pattern_key`:
 * `re.match(rf"(.*\.)?({key})$", path)`), or undefined.
 */
function patternValue(
  patterns: Readonly<Record<string, number>>,
  path: string,
  field: string,
): number | undefined {
  const key = Object.keys(patterns).find((p) => fullMatch(`(?:.*\\.)?(?:${p})`, path, field));
  return key === undefined ? undefined : patterns[key];
}
