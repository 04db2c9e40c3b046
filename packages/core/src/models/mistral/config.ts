import { z } from 'zod';
import { ACTIVATION_NAMES } from '../../nn/activations.js';
import { checkAttentionHeads, positiveInt, requiredSize, ropeFields } from '../config-fields.js';

/** transformers' `MistralConfig`, with its defaults (none for the sizes the weights fix). Mistral has no biases. */
export const mistralConfigSchema = z
  .looseObject({
    vocab_size: requiredSize('the number of tokens, rows of embed_tokens'),
    hidden_size: requiredSize('the width of the model, columns of embed_tokens'),
    intermediate_size: requiredSize('the width of the MLP, rows of up_proj'),
    num_hidden_layers: requiredSize('the number of decoder layers'),
    num_attention_heads: requiredSize('the number of query heads'),
    num_key_value_heads: positiveInt().nullable().default(8),
    head_dim: positiveInt().nullable().default(null),
    hidden_act: z.enum(ACTIVATION_NAMES).default('silu'),
    max_position_embeddings: positiveInt().default(4096 * 32),
    rms_norm_eps: z.number().positive().default(1e-6),
    tie_word_embeddings: z.boolean().default(false),
    /** Keys more than this many positions behind a query are hidden; null: full attention. */
    sliding_window: positiveInt().nullable().default(4096),
    ...ropeFields(10000),
  })
  .superRefine(checkAttentionHeads);

export type MistralConfig = z.output<typeof mistralConfigSchema>;
