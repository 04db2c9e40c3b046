export { plugin } from './plugin.js';
export { PromptEmbedding } from './prompt-embedding.js';
export { PROMPT_ENCODER, PromptEncoderLayer } from './prompt-encoder-layer.js';
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
