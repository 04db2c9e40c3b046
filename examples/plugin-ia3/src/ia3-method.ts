import type { PeftMethod } from '@tunekit/core';
import { type Ia3Config, ia3ConfigSchema } from './config.js';
import { injectIa3 } from './inject.js';

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
  inject: injectIa3,
};
