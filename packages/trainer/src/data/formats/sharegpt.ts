import {
  type ChatMessage,
  type ChatRole,
  type DatasetFormat,
  type MessagesRecord,
  parseOrThrow,
  UserError,
} from '@tunekit/core';
import { toolDefinitionSchema } from '@tunekit/templates';
import { z } from 'zod';
import { hasFields } from './has-fields.js';

/** ShareGPT's speakers and the chat role each becomes (LLaMA-Factory's sharegpt tags, plus user/assistant). */
const SPEAKERS = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  system: 'system',
  function_call: 'assistant',
  observation: 'tool',
} as const satisfies Record<string, ChatRole>;

const speakers = Object.keys(SPEAKERS) as [keyof typeof SPEAKERS, ...(keyof typeof SPEAKERS)[]];

const turnSchema = z.object({
  from: z.enum(speakers, {
    error: (issue) =>
      `unknown speaker ${JSON.stringify(issue.input)}; expected one of ${speakers.join(', ')}`,
  }),
  value: z.string(),
});

/**
 * A tool as OpenAI writes it (`{"type": "function", "function": {...}}`) or as LLaMA-Factory's tool
 * data does (the bare function schema `{"name", "description", "parameters"}`), which is wrapped.
 */
const toolSchema = z.union([
  toolDefinitionSchema,
  toolDefinitionSchema.shape.function.transform((fn) => ({
    type: 'function' as const,
    function: fn,
  })),
]);

/** `tools` as a list of definitions or, as LLaMA-Factory stores it, that list as JSON text. */
const toolsSchema = z.array(toolSchema);

const shareGptRecordSchema = z.object({
  conversations: z.array(turnSchema).min(1),
  system: z.string().optional(),
  tools: z.union([z.string(), toolsSchema]).optional(),
});

/** A function_call turn's value: one call or a list, as `{"name": ..., "arguments": ...}` JSON. */
const callSchema = z.object({
  name: z.string().min(1),
  arguments: z.unknown().optional(),
});
const callListSchema = z.array(callSchema).min(1);

/**
 * ShareGPT: `{"conversations": [{"from", "value"}], "system"?, "tools"?}`, with LLaMA-Factory's tool
 * layout (its glaive_toolcall data). human becomes a user turn, gpt an assistant turn, a
 * function_call an assistant turn with `tool_calls` (its value is the call as JSON), an
 * observation a tool turn; the result is a `messages` record.
 */
export const shareGptFormat: DatasetFormat<MessagesRecord> = {
  id: 'sharegpt',
  description: 'ShareGPT conversations (conversations with from/value)',
  task: 'sft',
  priority: 10,
  detect: (record) => hasFields(record, 'conversations'),
  parse(record, where) {
    const r = parseOrThrow(shareGptRecordSchema, record, where);
    const messages: ChatMessage[] =
      r.system === undefined ? [] : [{ role: 'system', content: r.system }];
    r.conversations.forEach((turn, i) => {
      const role = SPEAKERS[turn.from];
      if (turn.from !== 'function_call') {
        messages.push({ role, content: turn.value });
        return;
      }
      const field = `${where}: conversations[${i}].value`;
      const value = parseJson(turn.value, field);
      const calls = Array.isArray(value)
        ? parseOrThrow(callListSchema, value, field)
        : [parseOrThrow(callSchema, value, field)];
      messages.push({
        role,
        content: '',
        tool_calls: calls.map(({ name, arguments: args }) => ({
          type: 'function' as const,
          function: { name, arguments: args ?? {} },
        })),
      });
    });
    if (r.tools === undefined) return { messages };
    const tools =
      typeof r.tools === 'string'
        ? parseOrThrow(toolsSchema, parseJson(r.tools, `${where}: tools`), `${where}: tools`)
        : r.tools;
    return { messages, tools };
  },
};

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UserError(`${where}: expected JSON (${(cause as Error).message})`, { cause });
  }
}
