import type { Conversation } from '../records/index.js';

/** Which text of a record to compare: all its turns, the last user turn, or the last answer. */
export type TextField = 'conversation' | 'instruction' | 'response';

export const TEXT_FIELDS: readonly TextField[] = ['conversation', 'instruction', 'response'];

/** The text of `field`: for a conversation, each turn as `role: text` on its own line. */
export function textOf(conversation: Conversation, field: TextField): string {
  if (field === 'instruction') return conversation.instruction;
  if (field === 'response') return conversation.response;
  return conversation.messages
    .map(
      (m) => `${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`,
    )
    .join('\n');
}

/** Case folded, Unicode-normalised (NFKC), whitespace runs as one space: what "the same text" means. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Words: runs of letters and digits in any script, lower-cased. */
export function words(text: string): string[] {
  return normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}
