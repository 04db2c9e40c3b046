import { z } from 'zod';
import { describeZodIssues, UserError } from '../errors/index.js';
import { checkTokenizerModel } from './tokenizer-model.js';

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

/** A pipeline component; a `Sequence` lists its parts under the key of its kind. */
const componentObject: z.ZodType<{ type: string }> = z.lazy(() =>
  z.looseObject({
    type: z.string(),
    normalizers: z.array(componentObject).optional(),
    pretokenizers: z.array(componentObject).optional(),
    decoders: z.array(componentObject).optional(),
    processors: z.array(componentObject).optional(),
  }),
);
const component = componentObject.nullish();

/**
 * tokenizer.json as far as tunekit reads it: its shape is checked here (the model's vocabulary and
 * merges, the components' types and Sequence lists), their settings by `@huggingface/tokenizers`
 * when it builds them. Missing components mean "none".
 */
export const tokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(addedTokenSchema).default([]),
  normalizer: component.default(null),
  pre_tokenizer: component.default(null),
  model: z
    .looseObject(
      { type: z.string().optional() },
      {
        error: (issue) =>
          issue.input === undefined ? 'missing: the tokenizer model (its vocabulary)' : undefined,
      },
    )
    .superRefine(checkTokenizerModel),
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
