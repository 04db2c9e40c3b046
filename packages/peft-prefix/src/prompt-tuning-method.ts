import type { PeftMethod } from '@tunekit/core';
import { withModelSizes } from './model-sizes.js';
import { PromptEmbedding } from './prompt-embedding.js';
import { PromptEncoderLayer } from './prompt-encoder-layer.js';
import { type PromptTuningConfig, promptTuningConfigSchema } from './prompt-tuning-config.js';
import { initialPrompt } from './prompt-tuning-init.js';

/**
 * Prompt tuning (Lester et al. 2021) as Hugging Face PEFT defines it: method id 'prompt_tuning',
 * `peft_type` 'PROMPT_TUNING'. Learned embeddings of `num_virtual_tokens` virtual tokens go before
 * every input's token embeddings; the model's weights stay frozen. Saved as PEFT saves it: one
 * tensor `prompt_embeddings` [num_virtual_tokens, token_dim].
 */
export const promptTuningMethod: PeftMethod<PromptTuningConfig> = {
  id: 'prompt_tuning',
  prefix: 'prompt_encoder.',
  isPromptLearning: true,
  configSchema: promptTuningConfigSchema,
  inject(model, config, adapterName, ctx) {
    const applied = withModelSizes(config, ctx.modelConfig);
    const encoder = new PromptEmbedding(initialPrompt(model, applied, ctx));
    PromptEncoderLayer.of(model, 'prompt_tuning').add(adapterName, encoder);
    return applied;
  },
  stateKey: () => 'prompt_embeddings',
};
