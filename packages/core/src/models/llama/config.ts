import { z } from 'zod';
import { ACTIVATION_NAMES } from '../../nn/activations.js';
import { checkAttentionHeads, positiveInt, requiredSize, ropeFields } from '../config-fields.js';

/**
 * transformers' `LlamaConfig` (SmolLM, TinyLlama and Llama 3.x use it), with its defaults (none
 * for the sizes the weights fix).
 */
export const llamaConfigSchema = z
  .looseObject({
    vocab_size: requiredSize('the number of tokens, rows of embed_tokens'),
    hidden_size: requiredSize('the width of the model, columns of embed_tokens'),
    intermediate_size: requiredSize('the width of the MLP, rows of up_proj'),
    num_hidden_layers: requiredSize('the number of decoder layers'),
    num_attention_heads: requiredSize('the number of query heads'),
    /** null: as many as num_attention_heads (no grouped-query attention). */
    num_key_value_heads: positiveInt().nullable().default(null),
    /** null: hidden_size // num_attention_heads. */
    head_dim: positiveInt().nullable().default(null),
    hidden_act: z.enum(ACTIVATION_NAMES).default('silu'),
    max_position_embeddings: positiveInt().default(2048),
    rms_norm_eps: z.number().positive().default(1e-6),
    tie_word_embeddings: z.boolean().default(false),
    /** Biases on q_proj, k_proj, v_proj and o_proj. */
    attention_bias: z.boolean().default(false),
    mlp_bias: z.boolean().default(false),
    ...ropeFields(10000),
  })
  .superRefine(checkAttentionHeads);

export type LlamaConfig = z.output<typeof llamaConfigSchema>;
