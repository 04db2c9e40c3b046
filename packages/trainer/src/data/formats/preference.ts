import type { DatasetFormat, PreferenceRecord } from '@tunekit/core';
import { messageSchema } from '@tunekit/templates';
import { z } from 'zod';
import { splitImplicitPrompt } from './implicit-prompt.js';
import { schemaFormat } from './schema-format.js';

const conversationSchema = z.array(messageSchema).min(1);

/**
 * TRL's preference pairs: all three of prompt, chosen and rejected strings, or all three message
 * lists. Without `prompt` (TRL's implicit prompt), the shared beginning of chosen and rejected is
 * the prompt (`splitImplicitPrompt`).
 */
const preferenceRecordSchema = z
  .object({
    prompt: z.union([z.string().min(1), conversationSchema]).optional(),
    chosen: z.union([z.string().min(1), conversationSchema]),
    rejected: z.union([z.string().min(1), conversationSchema]),
    system: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    const kind = (value: unknown) => (typeof value === 'string' ? 'a string' : 'a message list');
    const like = r.prompt === undefined ? 'chosen' : 'prompt';
    for (const key of ['chosen', 'rejected'] as const) {
      if (key !== like && kind(r[key]) !== kind(r[like])) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected ${kind(r[like])}, as ${like} is, got ${kind(r[key])}`,
        });
      }
    }
    if (JSON.stringify(r.chosen) === JSON.stringify(r.rejected)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rejected'],
        message: 'is the same as chosen, so the pair prefers nothing',
      });
    }
  })
  .transform((r, ctx): PreferenceRecord => {
    if (r.prompt !== undefined) return { ...r, prompt: r.prompt };
    const split = splitImplicitPrompt(r.chosen, r.rejected);
    if (split.prompt.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['prompt'],
        message: 'is absent and chosen and rejected share no beginning to take it from',
      });
      return z.NEVER;
    }
    return { ...split, ...(r.system === undefined ? {} : { system: r.system }) };
  });

/** `{"prompt"?, "chosen", "rejected"}`: loaded and validated for preference training (DPO). */
export const preferenceFormat: DatasetFormat<PreferenceRecord> = schemaFormat({
  id: 'preference',
  description: 'preference pairs (prompt/chosen/rejected)',
  task: 'preference',
  priority: 10,
  fields: ['chosen', 'rejected'],
  schema: preferenceRecordSchema,
});
