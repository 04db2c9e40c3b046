import type { ChatMessage, DatasetFormat } from '@tunekit/core';
import { messageSchema } from '@tunekit/templates';
import { z } from 'zod';
import { schemaFormat } from './schema-format.js';

/** TRL's unpaired preference record (KTO): a prompt, one answer, and whether it is desirable. */
export interface UnpairedPreferenceRecord {
  readonly prompt: string | readonly ChatMessage[];
  readonly completion: string | readonly ChatMessage[];
  /** true: a desirable answer; false: an undesirable one. */
  readonly label: boolean;
  readonly system?: string;
}

const conversationSchema = z.array(messageSchema).min(1);

const unpairedRecordSchema = z
  .object({
    prompt: z.union([z.string().min(1), conversationSchema]),
    completion: z.union([z.string().min(1), conversationSchema]),
    label: z.boolean(),
    system: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    const kind = (value: unknown) => (typeof value === 'string' ? 'a string' : 'a message list');
    if (kind(r.prompt) !== kind(r.completion))
      ctx.addIssue({
        code: 'custom',
        path: ['completion'],
        message: `expected ${kind(r.prompt)}, as prompt is, got ${kind(r.completion)}`,
      });
  }) satisfies z.ZodType<UnpairedPreferenceRecord>;

/**
 * `{"prompt", "completion", "label": true|false}`: TRL's unpaired preference data, for KTO. Its
 * fields are prompt/completion's and one more, so it wins detection over that SFT format.
 */
export const unpairedPreferenceFormat: DatasetFormat<UnpairedPreferenceRecord> = schemaFormat({
  id: 'unpaired_preference',
  description: 'unpaired preference (prompt/completion/label)',
  task: 'unpaired_preference',
  priority: 20,
  fields: ['prompt', 'completion', 'label'],
  schema: unpairedRecordSchema,
});
