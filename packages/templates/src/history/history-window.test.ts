import type { ChatMessage } from '@tunekit/core';
import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { messageText } from '../conversation/index.js';
import { extractiveSummary } from './history-compressor.js';
import { fitHistory } from './history-window.js';
import { TurnTooLongError } from './turn-too-long.js';

const system: ChatMessage = { role: 'system', content: 'Be kind.' };
const turn = (n: number): ChatMessage[] => [
  { role: 'user', content: `Question ${n}? ${'More words here. '.repeat(4)}` },
  { role: 'assistant', content: `Answer ${n}. ${'With detail. '.repeat(4)}` },
];
const conversation: ChatMessage[] = [system, ...turn(1), ...turn(2), ...turn(3)];

/** A token counter for tests: one token per character. */
const chars = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, m) => sum + messageText(m).length, 0);

describe('fitHistory', () => {
  it('keeps everything that fits', async () => {
    const out = await fitHistory(conversation, { budget: 1000, countTokens: chars });
    expect(out).toEqual({ messages: conversation, dropped: 0 });
  });

  it('keeps the system message and the most recent whole turns, dropping the rest without a compressor', async () => {
    const budget = chars([system, ...turn(2), ...turn(3)]);
    const out = await fitHistory(conversation, { budget, countTokens: chars, compressor: null });
    expect(out).toEqual({ messages: [system, ...turn(2), ...turn(3)], dropped: 2 });
    const tighter = await fitHistory(conversation, {
      budget: budget - 1,
      countTokens: chars,
      compressor: null,
    });
    expect(tighter.messages).toEqual([system, ...turn(3)]);
  });

  it('never splits a turn: a user message stays with all the replies after it', async () => {
    const withTool: ChatMessage[] = [
      ...turn(1),
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Calling.' },
      { role: 'tool', content: 'sunny' },
      { role: 'assistant', content: 'Sunny.' },
    ];
    const out = await fitHistory(withTool, { budget: 30, countTokens: chars, compressor: null });
    expect(out.messages).toEqual(withTool.slice(2));
  });

  it('summarises dropped turns into the system message, and the summary counts', async () => {
    const out = await fitHistory(conversation, { budget: 400, countTokens: chars });
    expect(out.dropped).toBe(2);
    expect(out.messages[0]).toEqual({
      role: 'system',
      content:
        'Be kind.\n\nSummary of the earlier conversation:\n- The user said: Question 1?\n- The assistant said: Answer 1.',
    });
    expect(out.messages.slice(1)).toEqual([...turn(2), ...turn(3)]);
    expect(chars(out.messages)).toBeLessThanOrEqual(400);
  });

  it('summarises into a system message given as content parts, and reads parts and null content', async () => {
    const parts: ChatMessage = { role: 'system', content: [{ type: 'text', text: 'Be kind.' }] };
    const call: ChatMessage = {
      role: 'assistant',
      content: null,
      tool_calls: [{ type: 'function', function: { name: 'f', arguments: {} } }],
    };
    const [question] = turn(1);
    const messages = [parts, question, call, ...turn(2), ...turn(3)];
    const budget = chars([parts, ...turn(2), ...turn(3)]) + 70;
    const out = await fitHistory(messages, { budget, countTokens: chars });
    expect(out.dropped).toBe(2);
    expect(out.messages[0]).toEqual({
      role: 'system',
      content: 'Be kind.\n\nSummary of the earlier conversation:\n- The user said: Question 1?',
    });
  });

  it('takes a pluggable compressor, and adds a system message when there was none', async () => {
    const compressor = {
      summarize: async (dropped: readonly ChatMessage[]) => `${dropped.length} earlier messages.`,
    };
    const out = await fitHistory(conversation.slice(1), {
      budget: 170,
      countTokens: chars,
      compressor,
    });
    expect(out.messages).toEqual([{ role: 'system', content: '4 earlier messages.' }, ...turn(3)]);
  });

  it('fails when even the latest turn does not fit, giving the sizes', async () => {
    await expect(fitHistory(conversation, { budget: 10, countTokens: chars })).rejects.toThrow(
      UserError,
    );
    await expect(
      fitHistory(conversation, { budget: 10, countTokens: chars, compressor: null }),
    ).rejects.toThrow(
      'the latest turn does not fit the history budget: with the system message it takes 150 tokens, the budget is 10',
    );
    // a caller can tell this apart from other mistakes, and read the sizes
    const error = await fitHistory(conversation, {
      budget: 10,
      countTokens: chars,
      compressor: null,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TurnTooLongError);
    expect(error).toMatchObject({ tokens: 150, budget: 10 });
  });
});

describe('extractiveSummary', () => {
  it('lifts the first sentence of each user and assistant message', () => {
    expect(
      extractiveSummary.summarize([
        { role: 'user', content: 'Hello there! How are you?' },
        { role: 'tool', content: 'ignored' },
        { role: 'assistant', content: 'No punctuation at all' },
      ]),
    ).toBe(
      'Summary of the earlier conversation:\n- The user said: Hello there!\n- The assistant said: No punctuation at all',
    );
  });
});

describe('fitHistory with a real token count', () => {
  it('counts tokens by rendering through the template and encoding', async () => {
    const { chatml } = await import('../builtins/index.js');
    const { chatmlTokenizer } = await import('../../test/byte-tokenizer.js');
    const tokenizer = chatmlTokenizer();
    const countTokens = (messages: readonly ChatMessage[]) =>
      tokenizer.encode(chatml.render(messages, { addGenerationPrompt: true }).text).length;
    const budget = countTokens([system, ...turn(3)]);
    const out = await fitHistory(conversation, { budget, countTokens, compressor: null });
    expect(out.messages).toEqual([system, ...turn(3)]);
  });
});
