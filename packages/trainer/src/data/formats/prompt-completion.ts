import type { DatasetFormat, PromptCompletionRecord } from '@tunekit/core';
import { promptCompletionRecordSchema } from '@tunekit/templates';
import { schemaFormat } from './schema-format.js';

/** TRL's `{"prompt": ..., "completion": ...}`: the loss is on the completion. */
export const promptCompletionFormat: DatasetFormat<PromptCompletionRecord> = schemaFormat({
  id: 'prompt_completion',
  description: 'prompt and completion (prompt/completion)',
  task: 'sft',
  priority: 10,
  fields: ['prompt', 'completion'],
  schema: promptCompletionRecordSchema,
});
