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
  /** What else the record says of itself (`source`, and `meta`'s plain values), to show. */
  readonly context: readonly (readonly [key: string, value: string])[];
}

const contentSchema = z.union([
  z.string(),
  z.null(),
  z.array(z.object({ type: z.string(), text: z.string().optional() })),
]);
const messagesSchema = z.array(z.object({ role: z.string(), content: contentSchema }));

/**
 * A record to review. The prompt is `messages` (role/content), `prompt`, or Alpaca's
 * `instruction` + `input`; the draft is `draft`, `response`, `completion` or `output`, else the
 * last assistant turn of `messages`; `reference` is the answer to compare it with. The trainer's
 * spot-check records (`{id, prompt, response, reference, source, meta}`) are such records; a
 * dialogue's earlier turns in `meta.history` come before the prompt.
 */
const sourceSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).optional(),
    system: z.string().optional(),
    messages: messagesSchema.min(1).optional(),
    prompt: z.string().optional(),
    instruction: z.string().optional(),
    input: z.string().optional(),
    draft: z.string().optional(),
    response: z.string().optional(),
    completion: z.string().optional(),
    output: z.string().optional(),
    reference: z.string().optional(),
    source: z.string().optional(),
    meta: z.object({ history: messagesSchema.optional() }).catchall(z.unknown()).optional(),
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
  const turns = asTurns(record.messages ?? []);
  const explicitDraft = record.draft ?? record.response ?? record.completion ?? record.output;
  // a conversation that ends with the assistant's turn: that turn is the draft
  const lastIsDraft = explicitDraft === undefined && turns.at(-1)?.role === 'assistant';
  const prompt = [
    ...asTurns(record.meta?.history ?? []),
    ...(lastIsDraft ? turns.slice(0, -1) : turns),
  ];
  if (record.messages === undefined) {
    if (record.system !== undefined) prompt.push({ role: 'system', content: record.system });
    const user =
      record.prompt ??
      (record.input ? `${record.instruction}\n\n${record.input}` : (record.instruction ?? ''));
    prompt.push({ role: 'user', content: user });
  }
  const { history: _, ...meta } = record.meta ?? {};
  return {
    id:
      record.id === undefined
        ? `line ${where.slice(where.lastIndexOf(':') + 1)}`
        : String(record.id),
    where,
    prompt,
    draft: explicitDraft ?? (lastIsDraft ? turns.at(-1)?.content : undefined),
    // an empty reference (a spot check of an answer nothing was expected of) is none
    reference: record.reference || undefined,
    context: Object.entries({ source: record.source, ...meta }).flatMap(([key, value]) =>
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? [[key, String(value)] as const]
        : [],
    ),
  };
}

function asTurns(messages: z.infer<typeof messagesSchema>): ReviewTurn[] {
  return messages.map((m) => ({
    role: m.role,
    content:
      typeof m.content === 'string'
        ? m.content
        : (m.content ?? []).map((part) => part.text ?? '').join('\n'),
  }));
}
