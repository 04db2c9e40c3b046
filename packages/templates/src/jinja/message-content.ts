import type { ChatMessage } from '@tunekit/core';

/** A content's text: a string, or the text of its text parts (`[{type: 'text', text}]`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isTextPart(part) ? part.text : '')).join('');
}

function isTextPart(part: unknown): part is { type: 'text'; text: string } {
  return (
    typeof part === 'object' &&
    part !== null &&
    (part as { type?: unknown }).type === 'text' &&
    typeof (part as { text?: unknown }).text === 'string'
  );
}

export function hasContent(message: ChatMessage): boolean {
  return contentText(message.content) !== '';
}

/** `content` with `open` before its text and `close` after it (in its first and last text parts). */
export function markContent(content: unknown, open: string, close: string): unknown {
  if (typeof content === 'string') return open + content + close;
  const parts = content as unknown[];
  const first = parts.findIndex(isTextPart);
  const last = parts.length - 1 - [...parts].reverse().findIndex(isTextPart);
  return parts.map((part, i) => {
    if (!isTextPart(part) || (i !== first && i !== last)) return part;
    return { ...part, text: (i === first ? open : '') + part.text + (i === last ? close : '') };
  });
}
