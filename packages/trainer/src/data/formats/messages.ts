import type { DatasetFormat, MessagesRecord } from '@tunekit/core';
import { messagesRecordSchema } from '@tunekit/templates';
import { schemaFormat } from './schema-format.js';

/** OpenAI/TRL conversations: `{"messages": [{role, content, tool_calls?}], "tools"?: [...]}`. */
export const messagesFormat: DatasetFormat<MessagesRecord> = schemaFormat({
  id: 'messages',
  description: 'chat messages (messages with role/content, tools, tool_calls)',
  task: 'sft',
  priority: 10,
  fields: ['messages'],
  schema: messagesRecordSchema,
});
