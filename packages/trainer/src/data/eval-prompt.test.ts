import { chatml, qwen25 } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { evalPrompt } from './eval-prompt.js';

// Issue 11, item 11: a message's content may be null (a pure tool call) or typed parts.
describe('evalPrompt', () => {
  it('has no sample for a conversation that ends in a pure tool call (content null)', () => {
    const record = {
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: {} } }],
        },
      ],
    };
    expect(evalPrompt(record, 'eval.jsonl:1', { template: qwen25 })).toBeUndefined();
  });

  it('compares with the text of an answer given as content parts', () => {
    const record = {
      messages: [
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: [{ type: 'text', text: 'Paris' }] },
      ],
    };
    expect(evalPrompt(record, 'eval.jsonl:2', { template: chatml })).toEqual({
      where: 'eval.jsonl:2',
      prompt: '<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n',
      reference: 'Paris',
      message: 'Capital of France?',
    });
  });

  it('keeps the user message a router reads: the last user turn, Alpaca instruction and input', () => {
    const alpaca = { instruction: 'Add these.', input: '2 + 3', output: '5' };
    expect(evalPrompt(alpaca, 'a.jsonl:1', { template: chatml })?.message).toBe(
      'Add these.\n\n2 + 3',
    );
    const chat = {
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi.' },
        { role: 'user', content: 'What is 2 + 2?' },
        { role: 'assistant', content: '4' },
      ],
    };
    expect(evalPrompt(chat, 'c.jsonl:1', { template: chatml })?.message).toBe('What is 2 + 2?');
  });
});
