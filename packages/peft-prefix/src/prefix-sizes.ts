import { UserError } from '@tunekit/core';
import { withModelSizes } from './model-sizes.js';
import type { AppliedPrefixTuning } from './prefix-encoder.js';
import type { PrefixTuningConfig } from './prefix-tuning-config.js';

/**
 * `config` with every size filled as PEFT's `_prepare_prompt_learning_config` fills a prefix-tuning
 * config: the sizes from `config.json`; then, for a model whose config has `num_key_value_heads`
 * (grouped-query attention), the prefix is one key/value head wide: `num_attention_heads` becomes
 * num_key_value_heads and `token_dim` head_dim * num_key_value_heads (head_dim from `head_dim`, or
 * token_dim // num_attention_heads); last, `encoder_hidden_size` defaults to that token_dim.
 */
export function withPrefixSizes(
  config: PrefixTuningConfig,
  modelConfig: Readonly<Record<string, unknown>> | undefined,
): AppliedPrefixTuning {
  const filled = { ...withModelSizes(config, modelConfig) };
  const text = (modelConfig?.text_config ?? modelConfig) as Record<string, unknown> | undefined;
  const kvHeads = text?.num_key_value_heads;
  // PEFT reads config.to_dict(), where transformers has filled a null num_key_value_heads
  if (text && 'num_key_value_heads' in text) {
    const heads = typeof kvHeads === 'number' ? kvHeads : filled.num_attention_heads;
    const headDim =
      typeof text.head_dim === 'number'
        ? text.head_dim
        : Math.floor(filled.token_dim / filled.num_attention_heads);
    filled.token_dim = headDim * heads;
    filled.num_attention_heads = heads;
  }
  if (filled.token_dim % filled.num_attention_heads !== 0)
    throw new UserError(
      `token_dim ${filled.token_dim} is not a multiple of num_attention_heads ${filled.num_attention_heads}`,
    );
  return {
    ...filled,
    encoder_hidden_size: config.encoder_hidden_size ?? filled.token_dim,
  };
}
