import { type DatasetFormat, parseOrThrow } from '@tunekit/core';
import { type PromptCompletionRecord, promptCompletionRecordSchema } from '@tunekit/templates';
import { hasFields } from './has-fields.js';

/** TRL's `{"prompt": ..., "completion": ...}`: the loss is on the completion. */
export const promptCompletionFormat: DatasetFormat<PromptCompletionRecord> = {
  id: 'prompt_completion',
  description: 'prompt and completion (prompt/completion)',
  task: 'sft',
  priority: 10,
  detect: (record) => hasFields(record, 'prompt', 'completion'),
  parse: (record, where) => parseOrThrow(promptCompletionRecordSchema, record, where),
};
