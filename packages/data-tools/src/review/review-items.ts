import { UserError } from '@tunekit/core';
import { z } from 'zod';
import { firstIssue, readJsonl } from '../jsonl/index.js';

/** A turn of the prompt as the page shows it. */
export interface ReviewTurn {
  readonly role: string;
  readonly content: string;
}

/** One record to review: the prompt, the model's draft, and the reference answer if any. */
export interface ReviewItem {
  readonly id: string;
  /** `file:line` of the record in the source. */
  readonly where: string;
  readonly prompt: readonly ReviewTurn[];
  readonly draft?: string;
  readonly reference?: string;
}

const contentSchema = z.union([
  z.string(),
  z.null(),
  z.array(z.object({ type: z.string(), text: z.string().optional() })),
]);

/**
 * A record to review. The prompt is `messages` (role/content), `prompt`, or Alpaca's
 * `instruction` + `input`; the draft is `draft`, `response`, `completion` or `output`, else the
 * last assistant turn of `messages`; `reference` is the answer to compare it with.
 */
const sourceSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).optional(),
    system: z.string().optional(),
    messages: z
      .array(z.object({ role: z.string(), content: contentSchema }))
      .min(1)
      .optional(),
    prompt: z.string().optional(),
    instruction: z.string().optional(),
    input: z.string().optional(),
    draft: z.string().optional(),
    response: z.string().optional(),
    completion: z.string().optional(),
    output: z.string().optional(),
    reference: z.string().optional(),
  })
  .refine((r) => r.messages ?? r.prompt ?? r.instruction, {
    message: 'no prompt: expected messages, prompt or instruction',
  });

type SourceRecord = z.infer<typeof sourceSchema>;

/**
 * The records of a JSONL file to review, in file order; a record without `id` is named by its
 * line number. A bad record or a repeated id is an error naming the line.
 */
export async function readReviewItems(file: string): Promise<ReviewItem[]> {
  const items: ReviewItem[] = [];
  const seen = new Set<string>();
  for (const { where, value } of await readJsonl(file, 'the records to review')) {
    const parsed = sourceSchema.safeParse(value);
    if (!parsed.success)
      throw new UserError(
        `${where}: ${firstIssue(parsed.error)} (a record to review has messages, prompt or instruction, and draft or reference)`,
      );
    const item = reviewItem(parsed.data, where);
    if (item.draft === undefined && item.reference === undefined)
      throw new UserError(`${where}: nothing to review: no draft, response or reference`);
    if (seen.has(item.id)) throw new UserError(`${where}: id ${item.id} appears twice`);
    seen.add(item.id);
    items.push(item);
  }
  if (items.length === 0) throw new UserError(`${file}: no records to review`);
  return items;
}

function reviewItem(record: SourceRecord, where: string): ReviewItem {
  const turns: ReviewTurn[] = (record.messages ?? []).map((m) => ({
    role: m.role,
    content:
      typeof m.content === 'string'
        ? m.content
        : (m.content ?? []).map((part) => part.text ?? '').join('\n'),
  }));
  const explicitDraft = record.draft ?? record.response ?? record.completion ?? record.output;
  // a conversation that ends with the assistant's turn: that turn is the draft
  const lastIsDraft = explicitDraft === undefined && turns.at(-1)?.role === 'assistant';
  const prompt = lastIsDraft ? turns.slice(0, -1) : turns;
  if (record.messages === undefined) {
    if (record.system !== undefined) prompt.push({ role: 'system', content: record.system });
    const user =
      record.prompt ??
      (record.input ? `${record.instruction}\n\n${record.input}` : (record.instruction ?? ''));
    prompt.push({ role: 'user', content: user });
  }
  return {
    id:
      record.id === undefined
        ? `line ${where.slice(where.lastIndexOf(':') + 1)}`
        : String(record.id),
    where,
    prompt,
    draft: explicitDraft ?? (lastIsDraft ? turns.at(-1)?.content : undefined),
    reference: record.reference,
  };
}
