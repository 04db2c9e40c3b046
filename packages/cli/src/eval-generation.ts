import type { GenerationConfig } from '@tunekit/core';
import type { GenerationEvalOptions } from '@tunekit/trainer';
import type { GenerationSettings } from './config/train-config.js';

/**
 * The Evaluator's generation options from a config's `generation:` settings, over the model
 * folder's generation_config.json (its eos ids). `tunekit train` and `tunekit eval` both build them
 * here, so an adapter scores the same in both.
 */
export function evalGeneration(
  settings: GenerationSettings,
  batchSize: number,
  folderConfig: GenerationConfig,
): GenerationEvalOptions | false {
  if (settings.num_samples === 0) return false;
  return {
    numSamples: settings.num_samples,
    batchSize,
    generationConfig: {
      ...folderConfig,
      max_new_tokens: settings.max_new_tokens,
      stop_strings: settings.stop_strings,
    },
  };
}
