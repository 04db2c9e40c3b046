import { type DatasetFormat, parseOrThrow } from '@tunekit/core';
import { type MessagesRecord, messagesRecordSchema } from '@tunekit/templates';
import { hasFields } from './has-fields.js';

/** OpenAI/TRL conversations: `{"messages": [{role, content, tool_calls?}], "tools"?: [...]}`. */
export const messagesFormat: DatasetFormat<MessagesRecord> = {
  id: 'messages',
  description: 'chat messages (messages with role/content, tools, tool_calls)',
  task: 'sft',
  priority: 10,
  detect: (record) => hasFields(record, 'messages'),
  parse: (record, where) => parseOrThrow(messagesRecordSchema, record, where),
};
