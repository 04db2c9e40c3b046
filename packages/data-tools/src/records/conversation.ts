import type { ChatMessage, PreferenceRecord, SftRecord } from '@tunekit/core';
import { messageText } from '@tunekit/templates';

/** Any record as a conversation, so statistics and filters treat every format alike. */
export interface Conversation {
  /** The turns; for a preference pair, the prompt and the chosen answer. */
  readonly messages: readonly ChatMessage[];
  /** The last user turn's text (what Self-Instruct compares), '' for plain text. */
  readonly instruction: string;
  /** The last assistant turn's text, the whole text for plain text records. */
  readonly response: string;
  /** A preference pair's rejected answer. */
  readonly rejected?: string;
}

/** The conversation a parsed record holds (an `SftRecord` or a `PreferenceRecord`). */
export function conversationOf(parsed: unknown): Conversation {
  const record = parsed as SftRecord | PreferenceRecord;
  if ('chosen' in record) {
    const prompt = turns(record.prompt, 'user', record.system);
    const chosen = turns(record.chosen, 'assistant');
    return summarise([...prompt, ...chosen], lastText(turns(record.rejected, 'assistant')));
  }
  if ('messages' in record) return summarise(record.messages);
  if ('instruction' in record) {
    const user =
      record.input === '' ? record.instruction : `${record.instruction}\n\n${record.input}`;
    return summarise([
      ...turns([], 'system', record.system),
      { role: 'user', content: user },
      { role: 'assistant', content: record.output },
    ]);
  }
  if ('prompt' in record) {
    return summarise([
      ...turns([], 'system', record.system),
      { role: 'user', content: record.prompt },
      { role: 'assistant', content: record.completion },
    ]);
  }
  return {
    messages: [{ role: 'assistant', content: record.text }],
    instruction: '',
    response: record.text,
  };
}

/** A string as one turn of `role` (a message list as it is), after the system message if any. */
function turns(
  value: string | readonly ChatMessage[],
  role: 'user' | 'assistant' | 'system',
  system?: string,
): ChatMessage[] {
  const head: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
  if (typeof value === 'string') return [...head, { role, content: value }];
  return [...head, ...value];
}

function summarise(messages: readonly ChatMessage[], rejected?: string): Conversation {
  const last = (role: string) => lastText(messages.filter((m) => m.role === role));
  return { messages, instruction: last('user'), response: last('assistant'), rejected };
}

function lastText(messages: readonly ChatMessage[]): string {
  const message = messages.at(-1);
  return message === undefined ? '' : messageText(message);
}
