import { UserError } from '@tunekit/core';
import type { AppliedPromptLearning, PromptLearningConfig } from './prompt-learning-config.js';

/** Where PEFT's `_prepare_prompt_learning_config` looks for each size in `config.json`, in order. */
const SIZE_KEYS = {
  num_layers: ['num_hidden_layers', 'num_layers', 'n_layer'],
  token_dim: ['hidden_size', 'n_embd', 'd_model'],
  num_attention_heads: ['num_attention_heads', 'n_head', 'num_heads', 'encoder_attention_heads'],
} as const;

/**
 * `config` with the sizes it leaves null taken from the model's `config.json` (a VLM's
 * `text_config`), and one transformer submodule, as PEFT fills them before building the prompt
 * encoder. `num_virtual_tokens` must be given.
 */
export function withModelSizes<C extends PromptLearningConfig>(
  config: C,
  modelConfig: Readonly<Record<string, unknown>> | undefined,
): AppliedPromptLearning<C> {
  if (config.num_virtual_tokens === null)
    throw new UserError('num_virtual_tokens: required: how many virtual tokens to learn');
  const text = (modelConfig?.text_config ?? modelConfig) as Record<string, unknown> | undefined;
  const filled: Record<string, unknown> = { ...config, num_transformer_submodules: 1 };
  for (const [field, keys] of Object.entries(SIZE_KEYS)) {
    if (filled[field] !== null) continue;
    const key = keys.find((k) => typeof text?.[k] === 'number');
    if (key === undefined)
      throw new UserError(
        `${field}: not given, and the model's config.json has none of ${keys.join(', ')}; set ${field}`,
      );
    filled[field] = text?.[key];
  }
  return filled as AppliedPromptLearning<C>;
}
