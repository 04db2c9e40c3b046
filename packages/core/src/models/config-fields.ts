import { z } from 'zod';
import { ropeParametersSchema } from './rope-parameters.js';

// Pieces of the `config.json` schemas that several families share. Keys are spelled as
// transformers spells them; each family's schema states its own defaults.

export const positiveInt = () => z.number().int().positive();

/**
 * A size the weights' shapes depend on, which transformers writes into every `config.json`: it has
 * no default here, as a guessed width (transformers' 4096) only fails later as a shape mismatch.
 */
export const requiredSize = (what: string) =>
  z
    .number({
      error: (issue) =>
        issue.input === undefined
          ? `missing: ${what}; it must match the weights (transformers writes it into every config.json)`
          : undefined,
    })
    .int()
    .positive();

/** The rotary fields of a Llama-like config: transformers v4's `rope_theta` + `rope_scaling`, or v5's `rope_parameters`. */
export function ropeFields(ropeTheta: number) {
  return {
    rope_theta: z.number().positive().default(ropeTheta),
    rope_scaling: ropeParametersSchema.nullable().default(null),
    rope_parameters: ropeParametersSchema.optional(),
  };
}

interface AttentionHeads {
  readonly hidden_size: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number | null;
  readonly head_dim?: number | null;
}

/** transformers' `head_dim`: the config's, or hidden_size // num_attention_heads. */
export function headDimOf(c: AttentionHeads): number {
  return c.head_dim ?? Math.floor(c.hidden_size / c.num_attention_heads);
}

/**
 * Without head_dim the heads must split hidden_size evenly (transformers would floor the quotient,
 * which only fails later against the weights); grouped-query heads must divide evenly; rotary
 * embeddings need an even, non-zero head_dim.
 */
export function checkAttentionHeads(c: AttentionHeads, ctx: z.core.$RefinementCtx): void {
  if (c.head_dim == null && c.hidden_size % c.num_attention_heads !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['num_attention_heads'],
      message: `num_attention_heads (${c.num_attention_heads}) does not divide hidden_size (${c.hidden_size}), and there is no head_dim to give the width of a head`,
    });
    return;
  }
  const kv = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % kv !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['num_key_value_heads'],
      message: `num_attention_heads (${c.num_attention_heads}) must be a multiple of num_key_value_heads (${kv})`,
    });
  }
  const headDim = headDimOf(c);
  if (headDim === 0 || headDim % 2 !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: [c.head_dim == null ? 'hidden_size' : 'head_dim'],
      message: `head_dim must be even and positive for rotary embeddings, got ${headDim}${c.head_dim == null ? ` (hidden_size ${c.hidden_size} // num_attention_heads ${c.num_attention_heads})` : ''}`,
    });
  }
}
