import { z } from 'zod';
import { ACTIVATION_NAMES } from '../../nn/activations.js';
import { checkAttentionHeads, positiveInt, ropeFields } from '../config-fields.js';

/** transformers' `MistralConfig`, with its defaults. Mistral has no biases. */
export const mistralConfigSchema = z
  .looseObject({
    vocab_size: positiveInt().default(32000),
    hidden_size: positiveInt().default(4096),
    intermediate_size: positiveInt().default(14336),
    num_hidden_layers: positiveInt().default(32),
    num_attention_heads: positiveInt().default(32),
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
