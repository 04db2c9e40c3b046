import type { DatasetFormat, TextRecord } from '@tunekit/core';
import { textRecordSchema } from '@tunekit/templates';
import { schemaFormat } from './schema-format.js';

/** `{"text": "..."}`: plain text, trained on whole. A fallback: records with a richer shape's fields are that shape. */
export const textFormat: DatasetFormat<TextRecord> = schemaFormat({
  id: 'text',
  description: 'plain text (text)',
  task: 'sft',
  priority: 0,
  fields: ['text'],
  schema: textRecordSchema,
});
