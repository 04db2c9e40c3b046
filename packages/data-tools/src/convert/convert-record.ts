import { type ChatMessage, type MessagesRecord, UserError } from '@tunekit/core';
import { messageText } from '@tunekit/templates';
import type { DataRecord } from '../records/index.js';

/** The formats `convert` writes, by the trainer's format ids. */
export const CONVERT_TARGETS = [
  'messages',
  'sharegpt',
  'alpaca',
  'prompt_completion',
  'preference',
] as const;
export type ConvertTarget = (typeof CONVERT_TARGETS)[number];

/**
 * `record` in the `to` format, as the trainer reads it back: a conversation as OpenAI messages or
 * ShareGPT turns, a single- or multi-turn exchange as Alpaca (earlier turns in `history`), a single
 * turn as prompt/completion, a preference pair as prompt/chosen/rejected (in an SFT format, its
 * prompt and chosen answer, as TRL trains SFT on preference data). What the target cannot hold
 * (tool calls in Alpaca, a second turn in prompt/completion) is a UserError naming the record.
 */
export function convertRecord(record: DataRecord, to: ConvertTarget): unknown {
  const { where, conversation } = record;
  const isPair = conversation.rejected !== undefined;
  if (to === 'preference') {
    if (!isPair)
      throw new UserError(`${where}: not a preference pair; only pairs convert to preference`);
    return record.parsed;
  }
  const tools = (record.parsed as Partial<MessagesRecord>).tools;
  const { system, turns } = splitSystem(conversation.messages);
  if (to === 'messages') return { messages: conversation.messages, ...(tools ? { tools } : {}) };
  if (to === 'sharegpt') {
    return {
      conversations: turns.map((m) => shareGptTurn(m, where)),
      ...(system !== undefined ? { system } : {}),
      ...(tools ? { tools } : {}),
    };
  }
  const pairs = userAssistantPairs(turns, where, to);
  const last = pairs.at(-1);
  if (last === undefined)
    throw new UserError(`${where}: no user turn and answer to convert to ${to}`);
  const systemField = system !== undefined ? { system } : {};
  if (to === 'alpaca') {
    const history = pairs.slice(0, -1);
    return {
      instruction: last[0],
      input: '',
      output: last[1],
      ...systemField,
      ...(history.length > 0 ? { history } : {}),
    };
  }
  if (pairs.length > 1)
    throw new UserError(
      `${where}: ${pairs.length} turns; prompt_completion holds one (convert to messages or alpaca)`,
    );
  return { prompt: last[0], completion: last[1], ...systemField };
}

function splitSystem(messages: readonly ChatMessage[]): {
  system?: string;
  turns: readonly ChatMessage[];
} {
  const [first, ...rest] = messages;
  if (first?.role === 'system') return { system: messageText(first), turns: rest };
  return { turns: messages };
}

/** ShareGPT's speakers, as LLaMA-Factory names them. */
function shareGptTurn(message: ChatMessage, where: string): { from: string; value: string } {
  if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
    const calls = message.tool_calls.map((call) => call.function);
    return { from: 'function_call', value: JSON.stringify(calls.length === 1 ? calls[0] : calls) };
  }
  const from = { user: 'human', assistant: 'gpt', tool: 'observation', system: 'system' }[
    message.role as string
  ];
  if (from === undefined)
    throw new UserError(`${where}: a ${message.role} message has no ShareGPT speaker`);
  return { from, value: messageText(message) };
}

/** The conversation as [user, assistant] text pairs; anything else cannot be Alpaca or prompt/completion. */
function userAssistantPairs(
  turns: readonly ChatMessage[],
  where: string,
  to: string,
): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < turns.length; i += 2) {
    const [user, assistant] = [turns[i], turns[i + 1]];
    if (user?.role !== 'user' || assistant?.role !== 'assistant' || assistant.tool_calls?.length)
      throw new UserError(
        `${where}: turn ${i + 1} is not a user turn answered in text; ${to} holds only user/assistant exchanges (convert to messages or sharegpt)`,
      );
    pairs.push([messageText(user), messageText(assistant)]);
  }
  return pairs;
}
