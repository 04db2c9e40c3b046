import type { ChatMessage } from '@tunekit/core';

/**
 * A message's text: its content when that is a string, '' for null (a message that only calls
 * tools), and for typed content the text of its text parts, one a line (as vLLM joins them). Parts
 * of other types (images) carry no text; `checkConversation` refuses them for built-ins.
 */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((part) => part.type === 'text')
    .map((part) => part.text ?? '')
    .join('\n');
}
