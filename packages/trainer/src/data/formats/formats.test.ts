import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../detect-format.js';
import { alpacaFormat } from './alpaca.js';
import { DATASET_FORMATS } from './index.js';
import { preferenceFormat } from './preference.js';
import { shareGptFormat } from './sharegpt.js';

const where = 'data.jsonl:3';
const detected = (record: unknown) => {
  const format = detectFormat(record, DATASET_FORMATS, where);
  return 'id' in format ? format.id : format.invalid;
};

describe('auto-detection', () => {
  it('tells each shape by its fields', () => {
    expect(detected({ text: 'a' })).toBe('text');
    expect(detected({ prompt: 'a', completion: 'b' })).toBe('prompt_completion');
    expect(detected({ instruction: 'a', output: 'b' })).toBe('alpaca');
    expect(detected({ messages: [] })).toBe('messages');
    expect(detected({ conversations: [] })).toBe('sharegpt');
    expect(detected({ prompt: 'a', chosen: 'b', rejected: 'c' })).toBe('preference');
  });

  it('prefers a structured shape to the text fallback (tatsu-lab/alpaca has a text column too)', () => {
    expect(detected({ instruction: 'a', input: '', output: 'b', text: 'rendered' })).toBe('alpaca');
  });

  it('explains a record of no known shape, and refuses a tie', () => {
    expect(detected({ question: 'a', answer: 'b' })).toMatch(
      /^data\.jsonl:3: the record matches no dataset format \(it has fields question, answer\); known formats: text \(plain text \(text\)\); /,
    );
    expect(detected([1])).toContain('(it is [1], not a JSON object)');
    const twin = { ...shareGptFormat, id: 'sharegpt_copy' };
    expect(() => detectFormat({ conversations: [] }, [shareGptFormat, twin], where)).toThrow(
      "data.jsonl:3: the record matches the dataset formats 'sharegpt' and 'sharegpt_copy' equally; set format: to the one it is",
    );
  });
});

describe('alpaca', () => {
  it('keeps a record without history an instruction record (the template places input)', () => {
    expect(
      alpacaFormat.parse({ instruction: 'Say hi.', input: null, output: 'Hi' }, where),
    ).toEqual({
      instruction: 'Say hi.',
      input: '',
      output: 'Hi',
    });
  });

  it('turns history into earlier turns of a conversation', () => {
    const record = {
      instruction: 'Translate.',
      input: 'Good night',
      output: 'Bonne nuit',
      system: 'Be exact.',
      language: 'French',
      history: [['Hi', 'Hello']],
    };
    expect(alpacaFormat.parse(record, where)).toEqual({
      messages: [
        { role: 'system', content: 'Be exact.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Translate.\n\nGood night\n\nAnswer in French.' },
        { role: 'assistant', content: 'Bonne nuit' },
      ],
    });
  });
});

describe('sharegpt', () => {
  it('maps speakers to roles, a function_call to tool_calls and tools given as JSON text', () => {
    const record = {
      system: 'Be kind.',
      conversations: [
        { from: 'human', value: 'Weather?' },
        { from: 'function_call', value: '{"name": "get_weather", "arguments": {"city": "Rome"}}' },
        { from: 'observation', value: '{"temp": 25}' },
        { from: 'gpt', value: 'Warm.' },
      ],
      tools: '[{"type": "function", "function": {"name": "get_weather"}}]',
    };
    expect(shareGptFormat.parse(record, where)).toEqual({
      messages: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { type: 'function', function: { name: 'get_weather', arguments: { city: 'Rome' } } },
          ],
        },
        { role: 'tool', content: '{"temp": 25}' },
        { role: 'assistant', content: 'Warm.' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
    });
  });

  it('names the turn of a bad speaker or a function_call that is not a call', () => {
    expect(() =>
      shareGptFormat.parse({ conversations: [{ from: 'bot', value: 'x' }] }, where),
    ).toThrow(
      'data.jsonl:3: conversations[0].from: unknown speaker "bot"; expected one of human, user, gpt, assistant, system, function_call, observation',
    );
    const call = (value: string) => ({ conversations: [{ from: 'function_call', value }] });
    expect(() => shareGptFormat.parse(call('get_weather(Rome)'), where)).toThrow(
      /^data\.jsonl:3: conversations\[0\]\.value: expected JSON \(/,
    );
    expect(() => shareGptFormat.parse(call('{"arguments": {}}'), where)).toThrow(UserError);
  });
});

describe('preference', () => {
  it('accepts standard and conversational pairs', () => {
    expect(preferenceFormat.parse({ prompt: 'Q', chosen: 'A', rejected: 'B' }, where)).toEqual({
      prompt: 'Q',
      chosen: 'A',
      rejected: 'B',
    });
    const turn = (role: string, content: string) => [{ role, content }];
    const pair = {
      prompt: turn('user', 'Q'),
      chosen: turn('assistant', 'A'),
      rejected: turn('assistant', 'B'),
    };
    expect(preferenceFormat.parse(pair, where)).toEqual(pair);
    expect(preferenceFormat.task).toBe('preference');
  });

  it('refuses mixed kinds and a pair that prefers nothing, naming the field', () => {
    expect(() =>
      preferenceFormat.parse(
        { prompt: 'Q', chosen: [{ role: 'assistant', content: 'A' }], rejected: 'B' },
        where,
      ),
    ).toThrow('data.jsonl:3: chosen: expected a string, as prompt is, got a message list');
    expect(() =>
      preferenceFormat.parse({ prompt: 'Q', chosen: 'A', rejected: 'A' }, where),
    ).toThrow('data.jsonl:3: rejected: is the same as chosen, so the pair prefers nothing');
  });
});
