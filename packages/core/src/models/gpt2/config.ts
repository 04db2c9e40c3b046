import { z } from 'zod';
import { ACTIVATION_NAMES } from '../../nn/activations.js';
import { positiveInt, requiredSize } from '../config-fields.js';

/**
 * transformers' `GPT2Config` (`n_embd`, `n_head`, ... as config.json spells them), with its defaults
 * (none for the sizes the weights fix).
 */
export const gpt2ConfigSchema = z
  .looseObject({
    vocab_size: requiredSize('the number of tokens, rows of wte'),
    /** Learned positions: the longest sequence the model takes. */
    n_positions: requiredSize('the number of learned positions, rows of wpe'),
    n_embd: requiredSize('the width of the model, columns of wte'),
    n_layer: requiredSize('the number of blocks'),
    n_head: requiredSize('the number of attention heads'),
    /** null: 4 * n_embd. */
    n_inner: positiveInt().nullable().default(null),
    activation_function: z.enum(ACTIVATION_NAMES).default('gelu_new'),
    layer_norm_epsilon: z.number().positive().default(1e-5),
    /** Scale attention scores by 1 / sqrt(head_dim). */
    scale_attn_weights: z.boolean().default(true),
    /** Also scale them by 1 / (layer_idx + 1). */
    scale_attn_by_inverse_layer_idx: z.boolean().default(false),
    tie_word_embeddings: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    if (c.n_embd % c.n_head !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['n_head'],
        message: `n_head (${c.n_head}) does not divide n_embd (${c.n_embd}); GPT-2's heads split the width evenly`,
      });
    }
  });

export type GPT2Config = z.output<typeof gpt2ConfigSchema>;
