import { type DatasetFormat, parseOrThrow } from '@tunekit/core';
import { type TextRecord, textRecordSchema } from '@tunekit/templates';
import { hasFields } from './has-fields.js';

/** `{"text": "..."}`: plain text, trained on whole. A fallback: records with a richer shape's fields are that shape. */
export const textFormat: DatasetFormat<TextRecord> = {
  id: 'text',
  description: 'plain text (text)',
  task: 'sft',
  priority: 0,
  detect: (record) => hasFields(record, 'text'),
  parse: (record, where) => parseOrThrow(textRecordSchema, record, where),
};
