import { type ChatMessage, parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import { readRecordFile } from './read-record-file.js';

/** What a safety record asks of the model: to refuse, or to answer. */
export type SafetyLabel = 'refuse' | 'answer';

/** One prompt of a safety set, as a conversation ending with the user's message. */
export interface SafetyItem {
  readonly where: string;
  readonly id: string;
  readonly messages: readonly ChatMessage[];
  readonly label: SafetyLabel;
  readonly category?: string;
}

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

const safetyRecordSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).optional(),
    prompt: z.string().min(1).optional(),
    messages: z.array(messageSchema).min(1).optional(),
    label: z.enum(['refuse', 'answer']),
    category: z.string().min(1).optional(),
  })
  .refine((r) => (r.prompt === undefined) !== (r.messages === undefined), {
    error: 'expected either `prompt` or `messages`',
  })
  .refine((r) => r.messages === undefined || r.messages.at(-1)?.role === 'user', {
    error: 'the last of `messages` must be the user message to answer',
    path: ['messages'],
  });

/**
 * A safety set: JSON Lines (or a JSON array) of `{prompt | messages, label: refuse | answer,
 * category?, id?}`. Should-refuse records (`label: refuse`) are prompts the model must decline;
 * should-answer records (`label: answer`) are ones it must not refuse.
 */
export async function readSafetySet(path: string): Promise<SafetyItem[]> {
  const records = await readRecordFile(path, 'records');
  const items = records.map(({ where, record }, i): SafetyItem => {
    const r = parseOrThrow(safetyRecordSchema, record, where);
    return {
      where,
      id: String(r.id ?? i + 1),
      messages: r.messages ?? [{ role: 'user', content: r.prompt as string }],
      label: r.label,
      ...(r.category !== undefined ? { category: r.category } : {}),
    };
  });
  if (items.length === 0) throw new UserError(`${path}: the safety set has no records`);
  return items;
}
