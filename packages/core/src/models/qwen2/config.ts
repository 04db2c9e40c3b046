import { z } from 'zod';
import { ACTIVATION_NAMES } from '../../nn/activations.js';
import { checkAttentionHeads, positiveInt, requiredSize, ropeFields } from '../config-fields.js';

/** transformers' `Qwen2Config`, with its defaults (none for the sizes the weights fix). q/k/v projections always have biases. */
export const qwen2ConfigSchema = z
  .looseObject({
    vocab_size: requiredSize('the number of tokens, rows of embed_tokens'),
    hidden_size: requiredSize('the width of the model, columns of embed_tokens'),
    intermediate_size: requiredSize('the width of the MLP, rows of up_proj'),
    num_hidden_layers: requiredSize('the number of decoder layers'),
    num_attention_heads: requiredSize('the number of query heads'),
    num_key_value_heads: positiveInt().nullable().default(32),
    head_dim: positiveInt().nullable().default(null),
    hidden_act: z.enum(ACTIVATION_NAMES).default('silu'),
    max_position_embeddings: positiveInt().default(32768),
    rms_norm_eps: z.number().positive().default(1e-6),
    tie_word_embeddings: z.boolean().default(false),
    use_sliding_window: z.boolean().default(false),
    sliding_window: positiveInt().nullable().default(4096),
    /** With use_sliding_window, layers from this index on use the window. */
    max_window_layers: z.number().int().nonnegative().default(28),
    /** transformers >= 4.53 writes each layer's kind; it overrides max_window_layers. */
    layer_types: z.array(z.enum(['full_attention', 'sliding_attention'])).optional(),
    ...ropeFields(10000),
  })
  .superRefine(checkAttentionHeads)
  .superRefine((c, ctx) => {
    if (c.layer_types && c.layer_types.length !== c.num_hidden_layers) {
      ctx.addIssue({
        code: 'custom',
        path: ['layer_types'],
        message: `must list one kind per layer (${c.num_hidden_layers}), got ${c.layer_types.length}`,
      });
    }
  });

export type Qwen2Config = z.output<typeof qwen2ConfigSchema>;

/** Layer `i`'s sliding window, as transformers' Qwen2 decides it; undefined: full attention. */
export function qwen2SlidingWindow(c: Qwen2Config, layer: number): number | undefined {
  const window = c.use_sliding_window ? c.sliding_window : null;
  if (window === null) return undefined;
  const kind =
    c.layer_types?.[layer] ??
    (layer >= c.max_window_layers ? 'sliding_attention' : 'full_attention');
  return kind === 'sliding_attention' ? window : undefined;
}
