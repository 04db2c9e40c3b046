import { type PeftMethod, UserError } from '@tunekit/core';
import { withModelSizes } from './model-sizes.js';
import { type PTuningConfig, pTuningConfigSchema } from './p-tuning-config.js';
import { PromptEncoder } from './prompt-encoder.js';
import { PromptEncoderLayer } from './prompt-encoder-layer.js';

/**
 * P-tuning (Liu et al. 2021, "GPT Understands, Too") as Hugging Face PEFT defines it: method id
 * 'p_tuning', `peft_type` 'P_TUNING'. A prompt encoder (an MLP, or a bidirectional LSTM and an
 * MLP) turns `num_virtual_tokens` learned embeddings into the virtual tokens put before every
 * input's token embeddings; the model's weights stay frozen. Saved as PEFT saves it: one tensor
 * `prompt_embeddings` [num_virtual_tokens, token_dim], the encoder's output; loaded for inference
 * that table is used as it is.
 */
export const pTuningMethod: PeftMethod<PTuningConfig> = {
  id: 'p_tuning',
  prefix: 'prompt_encoder.',
  isPromptLearning: true,
  configSchema: pTuningConfigSchema,
  inject(model, config, adapterName, ctx) {
    const applied = withModelSizes(config, ctx.modelConfig);
    const hidden = applied.encoder_hidden_size;
    if (hidden === null && !applied.inference_mode)
      throw new UserError(
        'encoder_hidden_size: required to train P_TUNING: the width of the prompt encoder (e.g. token_dim)',
      );
    const encoder = new PromptEncoder(applied, hidden, ctx.random);
    PromptEncoderLayer.of(model, 'p_tuning').add(adapterName, encoder);
    return applied;
  },
  // PEFT saves the table alone (the encoder's output); the head's weights train under their own names
  stateKey: (_, local) => (local === 'embedding.weight' ? 'prompt_embeddings' : local),
};
