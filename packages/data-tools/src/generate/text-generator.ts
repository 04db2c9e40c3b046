import type { ChatMessage } from '@tunekit/core';

/**
 * What the data commands generate text with: a model (see `openModelGenerator`), or in tests a
 * stand-in. A prompt must fit `positions` tokens together with `maxNewTokens`; one that does not
 * is not generated, and its reply is ''.
 */
export interface TextGenerator {
  /** The model's positions (max_position_embeddings): prompt and answer together fit in them. */
  readonly positions: number;
  readonly maxNewTokens: number;
  countTokens(text: string): number;
  /** Continues each text as it is (no chat template): few-shot prompts. */
  complete(prompts: readonly string[]): Promise<string[]>;
  /** Answers each conversation as the assistant, through the model's chat template. */
  answer(conversations: readonly (readonly ChatMessage[])[]): Promise<string[]>;
  dispose(): Promise<void>;
}
