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
    });
  });
});
