export {
  ENCODER_REPARAMETERIZATION_TYPES,
  type PTuningConfig,
  pTuningConfigSchema,
} from './p-tuning-config.js';
export { pTuningMethod } from './p-tuning-method.js';
export { plugin } from './plugin.js';
export { type AppliedPrefixTuning, PrefixEncoder } from './prefix-encoder.js';
export { PREFIX_ENCODER, PrefixEncoderLayer } from './prefix-encoder-layer.js';
export {
  type PrefixTuningConfig,
  prefixTuningConfigSchema,
  pTuningV2ConfigSchema,
} from './prefix-tuning-config.js';
export { prefixTuningMethod, pTuningV2Method } from './prefix-tuning-method.js';
export { PromptEmbedding } from './prompt-embedding.js';
export { type AppliedPTuning, PromptEncoder } from './prompt-encoder.js';
export {
  PROMPT_ENCODER,
  PromptEncoderLayer,
  type VirtualTokenEncoder,
} from './prompt-encoder-layer.js';
export {
  type AppliedPromptLearning,
  type PromptLearningConfig,
  promptLearningConfigFields,
} from './prompt-learning-config.js';
export {
  PROMPT_TUNING_INITS,
  type PromptTuningConfig,
  promptTuningConfigSchema,
} from './prompt-tuning-config.js';
export { promptTuningMethod } from './prompt-tuning-method.js';
