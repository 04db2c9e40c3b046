import type { ChatMessage } from '@tunekit/core';

/**
 * A model's answer to a conversation that ends with the user's message, rendered through the chat
 * template with the whole history (what `ChatSession` does for `tunekit chat`). Greedy, so an
 * evaluation is repeatable.
 */
export type Respond = (messages: readonly ChatMessage[]) => Promise<string>;

/** The text of the conversation's last user message, for reports and spot checks. */
export function lastUserText(messages: readonly ChatMessage[]): string {
  const last = messages.filter((m) => m.role === 'user').at(-1)?.content;
  return typeof last === 'string' ? last : '';
}
