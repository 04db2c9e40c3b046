import type { ChatMessage } from '@tunekit/core';

/** A conversation's leading system message, if it has one, and the messages after it. */
export function splitLeadingSystem<M extends ChatMessage>(
  messages: readonly M[],
): {
  readonly system?: M;
  readonly rest: readonly M[];
} {
  return messages[0]?.role === 'system'
    ? { system: messages[0], rest: messages.slice(1) }
    : { rest: messages };
}
