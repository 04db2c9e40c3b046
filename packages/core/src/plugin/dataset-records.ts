// The records the stock dataset formats return from `parse`, keys spelled as the datasets spell
// them: what a `DatasetFormat` plugin produces for a trainer (@tunekit/templates renders the `sft`
// ones and validates them with zod schemas checked against these types).
import type { ChatMessage, ChatToolDefinition } from './extension-points.js';

/** `{messages: [...], tools?}`: OpenAI/TRL conversational data, at least one message. */
export interface MessagesRecord {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ChatToolDefinition[];
}

/** Metadata an instruction or prompt record may carry; it is rendered into the user turn. */
export interface RecordMetadata {
  /** The language the answer is in. */
  readonly language?: string;
  /** A limit on the answer length, in words. */
  readonly max_words?: number;
}

/** Alpaca: an empty `input` ('' also for one absent or null) selects the no-input prompt. */
export interface InstructionRecord extends RecordMetadata {
  readonly instruction: string;
  readonly input: string;
  readonly output: string;
  readonly system?: string;
}

/** TRL's prompt/completion data: the loss is on the completion. */
export interface PromptCompletionRecord extends RecordMetadata {
  readonly prompt: string;
  readonly completion: string;
  readonly system?: string;
}

/** Plain text, trained on whole. */
export interface TextRecord {
  readonly text: string;
}

/** What a format of task `sft` returns: a record a chat template renders. */
export type SftRecord = MessagesRecord | InstructionRecord | PromptCompletionRecord | TextRecord;

/**
 * TRL's preference pairs (task `preference`), standard or conversational: the prompt, the answer
 * to prefer and the one to avoid; all three are strings, or all three are message lists.
 */
export interface PreferenceRecord {
  readonly prompt: string | readonly ChatMessage[];
  readonly chosen: string | readonly ChatMessage[];
  readonly rejected: string | readonly ChatMessage[];
  readonly system?: string;
}
