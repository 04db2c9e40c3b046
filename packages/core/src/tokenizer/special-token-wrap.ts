import { z } from 'zod';
import { describeZodIssues, UserError } from '../errors/index.js';

/**
 * The special tokens a post-processor puts around one sequence: `[...prefix, ...ids, ...suffix]`
 * (tokenizer.json's `post_processor`, single-sequence case). Kept as ids so that encodings
 * with and without special tokens share the text's tokens, and offsets know which are added.
 */
export interface SpecialTokenWrap {
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
}

export const NO_WRAP: SpecialTokenWrap = { prefix: [], suffix: [] };

const templateSchema = z.object({
  single: z.array(
    z.union([
      z.object({ SpecialToken: z.object({ id: z.string() }) }),
      z.object({ Sequence: z.object({ id: z.enum(['A', 'B']) }) }),
    ]),
  ),
  special_tokens: z.record(z.string(), z.object({ ids: z.array(z.number().int().nonnegative()) })),
});

/** `cls` and `sep` as `[token, id]` pairs (RobertaProcessing, BertProcessing). */
const clsSepSchema = z.object({
  cls: z.tuple([z.string(), z.number().int().nonnegative()]),
  sep: z.tuple([z.string(), z.number().int().nonnegative()]),
});

const sequenceSchema = z.object({ processors: z.array(z.looseObject({ type: z.string() })) });

type PostProcessorJson = { readonly type: string } & Record<string, unknown>;

const wraps = {
  ByteLevel: () => NO_WRAP,
  TemplateProcessing: (json, source) => {
    const t = parse(templateSchema, json, source);
    const seq = t.single.findIndex((item) => 'Sequence' in item);
    if (seq < 0) throw new UserError(`${source}: post_processor.single has no sequence ($A)`);
    const ids = (items: typeof t.single) =>
      items.flatMap((item) => {
        if (!('SpecialToken' in item)) return [];
        const token = t.special_tokens[item.SpecialToken.id];
        if (!token) {
          throw new UserError(
            `${source}: post_processor.single uses special token "${item.SpecialToken.id}" that post_processor.special_tokens does not define`,
          );
        }
        return token.ids;
      });
    return { prefix: ids(t.single.slice(0, seq)), suffix: ids(t.single.slice(seq + 1)) };
  },
  RobertaProcessing: (json, source) => clsSep(parse(clsSepSchema, json, source)),
  BertProcessing: (json, source) => clsSep(parse(clsSepSchema, json, source)),
  // Each processor wraps the output of the one before it.
  Sequence: (json, source) =>
    parse(sequenceSchema, json, source).processors.reduce<SpecialTokenWrap>((inner, p) => {
      const outer = specialTokenWrap(p, source);
      return {
        prefix: [...outer.prefix, ...inner.prefix],
        suffix: [...inner.suffix, ...outer.suffix],
      };
    }, NO_WRAP),
} satisfies Record<string, (json: PostProcessorJson, source: string) => SpecialTokenWrap>;

/** What tokenizer.json's `post_processor` adds around a single sequence; `source` names the file. */
export function specialTokenWrap(
  postProcessor: PostProcessorJson | null,
  source: string,
): SpecialTokenWrap {
  if (postProcessor === null) return NO_WRAP;
  const wrap = (
    wraps as Record<string, (json: PostProcessorJson, source: string) => SpecialTokenWrap>
  )[postProcessor.type];
  if (!wrap) {
    throw new UserError(
      `${source}: post_processor type "${postProcessor.type}" is not supported; supported: ${Object.keys(wraps).join(', ')}`,
    );
  }
  return wrap(postProcessor, source);
}

function clsSep(p: z.infer<typeof clsSepSchema>): SpecialTokenWrap {
  return { prefix: [p.cls[1]], suffix: [p.sep[1]] };
}

function parse<T>(schema: z.ZodType<T>, json: unknown, source: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new UserError(`${source}: post_processor: ${describeZodIssues(parsed.error)}`);
  return parsed.data;
}
