import type { ChatMessage } from '@tunekit/core';
import { messageText, splitLeadingSystem } from '../conversation/index.js';
import { extractiveSummary, type HistoryCompressor } from './history-compressor.js';
import { TurnTooLongError } from './turn-too-long.js';

export interface HistoryWindowOptions {
  /** The most tokens the kept conversation may take. */
  readonly budget: number;
  /** Tokens a conversation takes once rendered (e.g. render through the template, then encode). */
  readonly countTokens: (messages: readonly ChatMessage[]) => number;
  /** Replaces dropped turns with a summary; `null` drops them without one. Default extractive. */
  readonly compressor?: HistoryCompressor | null;
}

export interface HistoryWindow {
  readonly messages: ChatMessage[];
  /** How many messages were dropped (and summarised, when a compressor is set). */
  readonly dropped: number;
}

/**
 * The system message and the most recent turns that fit the token budget. A turn is a user
 * message with the replies that follow it, and is kept or dropped whole. Dropped turns are
 * summarised into the system message (a new one first if there was none), and the summary
 * counts against the budget. The latest turn is always kept; when even it does not fit with
 * the system message, that is a `TurnTooLongError` that gives the sizes.
 */
export async function fitHistory(
  messages: readonly ChatMessage[],
  opts: HistoryWindowOptions,
): Promise<HistoryWindow> {
  const { system, rest } = splitLeadingSystem(messages);
  const turns = splitTurns(rest);
  const compressor = opts.compressor === undefined ? extractiveSummary : opts.compressor;
  let tokens = 0;
  for (let keep = turns.length; keep >= Math.min(1, turns.length); keep--) {
    const dropped = turns.slice(0, turns.length - keep).flat();
    const summary =
      dropped.length > 0 && compressor !== null ? await compressor.summarize(dropped) : '';
    const kept = [...withSummary(system, summary), ...turns.slice(turns.length - keep).flat()];
    tokens = opts.countTokens(kept);
    if (tokens <= opts.budget) return { messages: kept, dropped: dropped.length };
  }
  throw new TurnTooLongError(tokens, opts.budget);
}

/** Groups messages into turns: each user message starts one; anything before the first opens one too. */
function splitTurns(messages: readonly ChatMessage[]): ChatMessage[][] {
  const turns: ChatMessage[][] = [];
  for (const message of messages) {
    if (message.role === 'user' || turns.length === 0) turns.push([message]);
    else turns[turns.length - 1].push(message);
  }
  return turns;
}

function withSummary(system: ChatMessage | undefined, summary: string): ChatMessage[] {
  if (summary === '') return system === undefined ? [] : [system];
  if (system === undefined) return [{ role: 'system', content: summary }];
  return [{ ...system, content: `${messageText(system)}\n\n${summary}` }];
}
