import { adapterInjector, denseDispatcher, fullMatch, type PeftMethod } from '@tunekit/core';
import { type Ia3Config, ia3ConfigSchema } from './config.js';
import { IA3_MODEL_TYPE_DEFAULTS } from './default-modules.js';
import { type Ia3LayerOptions, Ia3Linear } from './ia3-linear.js';

/**
 * (IA)³ (Liu et al. 2022, "Few-Shot Parameter-Efficient Fine-Tuning is Better and Cheaper than
 * In-Context Learning") as Hugging Face PEFT defines it: method id 'ia3', `peft_type` 'IA3', one
 * learned vector `ia3_l` per adapted layer, saved as `base_model.model.<path>.ia3_l`.
 */
export const ia3Method: PeftMethod<Ia3Config> = {
  id: 'ia3',
  prefix: 'ia3_',
  isPromptLearning: false,
  configSchema: ia3ConfigSchema,
  inject: adapterInjector<Ia3Config, Ia3LayerOptions>({
    method: 'ia3',
    modelTypeDefaults: IA3_MODEL_TYPE_DEFAULTS,
    layerOptions: ({ path, config }) => ({
      isFeedforward: isFeedforward(config.feedforward_modules ?? [], path),
      init_ia3_weights: config.init_ia3_weights,
    }),
  }),
};

/** (IA)³ around a dense torch.nn.Linear or HF Conv1D. */
export const denseIa3Dispatcher = denseDispatcher<Ia3LayerOptions>(
  'ia3',
  (base, options) => new Ia3Linear(base, options.isFeedforward),
);

/** PEFT's `_check_target_module_feedforward`: a full-match regex, or names ending the path. */
function isFeedforward(feedforward: readonly string[] | string, path: string): boolean {
  return typeof feedforward === 'string'
    ? fullMatch(feedforward, path, 'feedforward_modules')
    : feedforward.some((name) => path.endsWith(name));
}
