import { z } from 'zod';
import { describeZodIssues, UserError } from '../errors/index.js';

/** One entry of tokenizer.json's `added_tokens`, keys as the tokenizers library writes them. */
export const addedTokenSchema = z.object({
  id: z.number().int().nonnegative(),
  content: z.string().min(1),
  single_word: z.boolean().default(false),
  lstrip: z.boolean().default(false),
  rstrip: z.boolean().default(false),
  normalized: z.boolean().default(true),
  special: z.boolean().default(false),
});
export type AddedToken = z.infer<typeof addedTokenSchema>;

const component = z.looseObject({ type: z.string() }).nullish();

/**
 * tokenizer.json as far as tunekit reads it; the pipeline components are checked by
 * `@huggingface/tokenizers` when it builds them. Missing components mean "none".
 */
export const tokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(addedTokenSchema).default([]),
  normalizer: component.default(null),
  pre_tokenizer: component.default(null),
  model: z.looseObject({ type: z.string().optional() }),
  post_processor: component.default(null),
  decoder: component.default(null),
});
export type TokenizerJson = z.infer<typeof tokenizerJsonSchema>;

/** Validates tokenizer.json; `source` names the file in the error. */
export function parseTokenizerJson(raw: unknown, source: string): TokenizerJson {
  const parsed = tokenizerJsonSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${source}: ${describeZodIssues(parsed.error)}`);
  return parsed.data;
}
