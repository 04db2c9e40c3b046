import type { DatasetFormat, PreferenceRecord } from '@tunekit/core';
import { messageSchema } from '@tunekit/templates';
import { z } from 'zod';
import { schemaFormat } from './schema-format.js';

const conversationSchema = z.array(messageSchema).min(1);

/** core's PreferenceRecord: all three are strings, or all three are message lists. */
const preferenceRecordSchema = z
  .object({
    prompt: z.union([z.string().min(1), conversationSchema]),
    chosen: z.union([z.string().min(1), conversationSchema]),
    rejected: z.union([z.string().min(1), conversationSchema]),
    system: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    const kind = (value: unknown) => (typeof value === 'string' ? 'a string' : 'a message list');
    for (const key of ['chosen', 'rejected'] as const) {
      if (kind(r[key]) !== kind(r.prompt)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected ${kind(r.prompt)}, as prompt is, got ${kind(r[key])}`,
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
  }) satisfies z.ZodType<PreferenceRecord>;

/** `{"prompt", "chosen", "rejected"}`: loaded and validated for preference training (DPO). */
export const preferenceFormat: DatasetFormat<PreferenceRecord> = schemaFormat({
  id: 'preference',
  description: 'preference pairs (prompt/chosen/rejected)',
  task: 'preference',
  priority: 10,
  fields: ['chosen', 'rejected'],
  schema: preferenceRecordSchema,
});
