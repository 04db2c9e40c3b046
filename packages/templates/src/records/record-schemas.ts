import { z } from 'zod';
import { toolDefinitionSchema } from '../system/index.js';

const ROLES = ['system', 'user', 'assistant', 'tool'] as const;

const roleSchema = z.enum(ROLES, {
  error: (issue) =>
    `unknown role ${JSON.stringify(issue.input)}; expected one of ${ROLES.join(', ')}`,
});

const toolCallSchema = z.object({
  type: z.literal('function').optional(),
  id: z.string().optional(),
  function: z.object({ name: z.string().min(1), arguments: z.unknown() }),
});

/** A chat message as OpenAI and TRL write it; `content: null` (a pure tool call) reads as ''. */
export const messageSchema = z.object({
  role: roleSchema,
  content: z
    .string()
    .nullable()
    .transform((content) => content ?? ''),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
});

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
});

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
});

/** TRL's prompt/completion data: the loss is on the completion. */
export const promptCompletionRecordSchema = z.object({
  prompt: z.string().min(1),
  completion: z.string(),
  system: z.string().optional(),
  ...metadata,
});

/** Plain text, trained on whole. */
export const textRecordSchema = z.object({ text: z.string().min(1) });

export type MessagesRecord = z.infer<typeof messagesRecordSchema>;
export type InstructionRecord = z.infer<typeof instructionRecordSchema>;
export type PromptCompletionRecord = z.infer<typeof promptCompletionRecordSchema>;
export type TextRecord = z.infer<typeof textRecordSchema>;

/** How metadata reads in the user turn; `{field}` is replaced by the value. */
export const METADATA_LINES = {
  language: 'Answer in {language}.',
  max_words: 'Use at most {max_words} words.',
} as const satisfies Record<keyof typeof metadata, string>;
