import type {
  InstructionRecord,
  MessagesRecord,
  PromptCompletionRecord,
  TextRecord,
} from '@tunekit/core';
import { z } from 'zod';
import { toolDefinitionSchema } from '../system/index.js';

const ROLES = ['system', 'user', 'assistant', 'tool', 'function'] as const;

const roleSchema = z.enum(ROLES, {
  error: (issue) =>
    `unknown role ${JSON.stringify(issue.input)}; expected one of ${ROLES.join(', ')}`,
});

/** An OpenAI/HF tool call; `arguments` is an object or its JSON text, passed on as given. */
const toolCallSchema = z.looseObject({
  type: z.literal('function').optional(),
  id: z.string().optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.unknown() }),
});

/** A typed content part (`{"type": "text", "text": ...}`, an image...), other keys kept. */
const contentPartSchema = z.looseObject({ type: z.string().min(1), text: z.string().optional() });

/**
 * A chat message as OpenAI, TRL and HF write it. Every field is kept, so that Jinja templates see
 * the message as given (`name`, `reasoning_content`, `thought`...); `content` is text, null (a
 * message that only calls tools, which may also leave it out) or typed parts.
 */
export const messageSchema = z
  .looseObject({
    role: roleSchema,
    content: z
      .union([z.string(), z.null(), z.array(contentPartSchema)], {
        error:
          'expected a string, null, or a list of content parts ({"type": "text", "text": ...})',
      })
      .optional(),
    tool_calls: z.array(toolCallSchema).optional(),
    tool_call_id: z.string().optional(),
    name: z.string().optional(),
    reasoning_content: z.string().optional(),
  })
  .refine((message) => message.content !== undefined || message.tool_calls !== undefined, {
    path: ['content'],
    message: 'missing; a message without content must have tool_calls',
  })
  // OpenAI leaves content out of a message that only calls tools: it reads as null.
  .transform((message) => ({ ...message, content: message.content ?? null }));

// Each record schema checks its output against core's record type, the contract that
// DatasetFormat plugins implement against.

/**
 * Optional metadata an instruction or prompt record may carry; the record layer renders it into
 * the user turn with `METADATA_LINES`, so user code never concatenates it.
 */
const metadata = {
  language: z.string().min(1).describe('the language the answer is in').optional(),
  max_words: z
    .number()
    .int()
    .positive()
    .describe('a limit on the answer length, in words')
    .optional(),
};

/** `{messages: [...], tools?}`: OpenAI/TRL conversational data. */
export const messagesRecordSchema = z.object({
  messages: z.array(messageSchema).min(1),
  tools: z.array(toolDefinitionSchema).optional(),
}) satisfies z.ZodType<MessagesRecord>;

/** Alpaca: `input` may be absent, null or empty, which selects the no-input prompt. */
export const instructionRecordSchema = z.object({
  instruction: z.string().min(1),
  input: z
    .string()
    .nullish()
    .transform((input) => input ?? ''),
  output: z.string(),
  system: z.string().optional(),
  ...metadata,
}) satisfies z.ZodType<InstructionRecord>;

/** TRL's prompt/completion data: the loss is on the completion. */
export const promptCompletionRecordSchema = z.object({
  prompt: z.string().min(1),
  completion: z.string(),
  system: z.string().optional(),
  ...metadata,
}) satisfies z.ZodType<PromptCompletionRecord>;

/** Plain text, trained on whole. */
export const textRecordSchema = z.object({
  text: z.string().min(1),
}) satisfies z.ZodType<TextRecord>;

/** How metadata reads in the user turn; `{field}` is replaced by the value. */
export const METADATA_LINES = {
  language: 'Answer in {language}.',
  max_words: 'Use at most {max_words} words.',
} as const satisfies Record<keyof typeof metadata, string>;
