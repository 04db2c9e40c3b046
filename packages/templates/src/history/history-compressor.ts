import type { ChatMessage } from '@tunekit/core';
import { messageText } from '../conversation/index.js';

/**
 * Turns the messages a history window drops into a short summary that takes their place. The
 * default is extractive; a model-backed compressor (one that asks a model to summarise) plugs
 * in through the same interface.
 */
export interface HistoryCompressor {
  summarize(dropped: readonly ChatMessage[]): string | Promise<string>;
}

/** Longest sentence taken from one message. */
const MAX_SENTENCE = 200;

/**
 * Keeps the first sentence of each dropped user and assistant message, labelled by who said it:
 * words lifted from the conversation, nothing generated.
 */
export const extractiveSummary: HistoryCompressor = {
  summarize(dropped) {
    const lines = dropped.flatMap((message) => {
      if (message.role !== 'user' && message.role !== 'assistant') return [];
      const sentence = firstSentence(messageText(message));
      if (sentence === '') return [];
      return [`- ${message.role === 'user' ? 'The user said' : 'The assistant said'}: ${sentence}`];
    });
    return lines.length === 0 ? '' : ['Summary of the earlier conversation:', ...lines].join('\n');
  },
};

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?](\s|$)/);
  const sentence = end < 0 ? flat : flat.slice(0, end + 1);
  return sentence.length <= MAX_SENTENCE ? sentence : `${sentence.slice(0, MAX_SENTENCE - 1)}…`;
}
