import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { QWEN25_TEMPLATE } from '../../test/qwen25-template.js';
import { alpaca, chatml, gemma, llama2, raw } from '../builtins/index.js';
import { createJinjaTemplate, jinja } from '../jinja/index.js';
import { renderRecord } from './render-record.js';

const where = 'data.jsonl:7';
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object' },
  },
} as const;

describe('renderRecord', () => {
  it('renders Alpaca records through the template, input and all, never by concatenation', () => {
    const withInput = renderRecord(
      alpaca,
      { instruction: 'Translate.', input: 'Good morning', output: 'Bonjour' },
      { where },
    );
    expect(withInput.text).toContain(
      '### Instruction:\nTranslate.\n\n### Input:\nGood morning\n\n### Response:Bonjour</s>',
    );
    expect(withInput.source).toBe('completion');
    for (const input of [undefined, null, '']) {
      const noInput = renderRecord(
        alpaca,
        { instruction: 'Say hi.', input, output: 'Hi' },
        { where },
      );
      expect(noInput.text).toBe(
        'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nSay hi.\n\n### Response:Hi</s>',
      );
    }
  });

  it('puts an instruction record into a chat template as user and assistant turns', () => {
    const r = renderRecord(
      chatml,
      { instruction: 'Translate.', input: 'Good morning', output: 'Bonjour', system: 'Be exact.' },
      { where },
    );
    expect(r.text).toBe(
      '<|im_start|>system\nBe exact.<|im_end|>\n<|im_start|>user\nTranslate.\n\nGood morning<|im_end|>\n<|im_start|>assistant\nBonjour<|im_end|>\n',
    );
  });

  it('renders metadata fields into the user turn', () => {
    const r = renderRecord(
      chatml,
      { prompt: 'Describe Paris.', completion: 'Belle.', language: 'French', max_words: 20 },
      { where },
    );
    expect(r.text).toContain(
      'user\nDescribe Paris.\n\nAnswer in French. Use at most 20 words.<|im_end|>',
    );
    expect(r.source).toBe('completion');
  });

  it('renders prompt/completion through raw as plain text with eos', () => {
    const r = renderRecord(
      raw,
      { prompt: 'Q: 2+2?\nA:', completion: ' 4' },
      { where, context: { eos_token: '</s>' } },
    );
    expect(r.text).toBe('Q: 2+2?\nA: 4</s>');
    expect(
      r.spans.filter((s) => s.role === 'assistant').map((s) => r.text.slice(s.start, s.end)),
    ).toEqual([' 4</s>']);
  });

  it('trains plain text whole, whatever the template', () => {
    const r = renderRecord(
      chatml,
      { text: 'Once upon a time.' },
      { where, context: { eos_token: '<|im_end|>' } },
    );
    expect(r.text).toBe('Once upon a time.<|im_end|>');
    expect(r.source).toBe('text');
  });

  it('describes record tools in the system message for templates without tool support', () => {
    const r = renderRecord(
      chatml,
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: 'Sunny.' },
        ],
        tools: [weather],
      },
      { where },
    );
    expect(r.text).toContain('<|im_start|>system\nYou can call the tools below.');
    expect(r.text).toContain(
      '- get_weather: Weather for a city\n  arguments (JSON schema): {"type":"object"}<|im_end|>',
    );
  });

  it("gives record tools to a template's own tool support", () => {
    const qwen = createJinjaTemplate(QWEN25_TEMPLATE);
    const r = renderRecord(
      qwen,
      { messages: [{ role: 'user', content: 'Weather?' }], tools: [weather] },
      { where },
    );
    expect(r.text).toContain('<tools>\n{"type": "function"');
    expect(r.text).not.toContain('You can call the tools below');
  });

  it('adds a composed system message to every record', () => {
    const r = renderRecord(
      gemma,
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
        ],
      },
      { where, system: { persona: { text: 'You are terse.' }, priority: true } },
    );
    expect(
      r.text.startsWith(
        '<bos><start_of_turn>user\nYou are terse.\n\nThese system instructions take priority',
      ),
    ).toBe(true);
  });
});

describe('renderRecord errors name the record', () => {
  const expectError = (run: () => unknown, message: string | RegExp) => {
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
  };

  it('an unknown role', () => {
    expectError(
      () => renderRecord(chatml, { messages: [{ role: 'narrator', content: 'Once' }] }, { where }),
      `${where}: messages[0].role: unknown role "narrator"; expected one of system, user, assistant, tool`,
    );
  });

  it('a role the template cannot render', () => {
    expectError(
      () => renderRecord(gemma, { messages: [{ role: 'tool', content: '{}' }] }, { where }),
      `${where}: messages[0] has role 'tool', which template 'gemma' cannot render; it renders system, user, assistant`,
    );
  });

  it('a conversation that does not alternate where the template requires it', () => {
    const messages = [
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ];
    expectError(
      () => renderRecord(llama2, { messages }, { where }),
      `${where}: template 'llama2' needs user and assistant turns to alternate, starting with user, after an optional first system message; messages[1] is 'user' where 'assistant' was expected`,
    );
    expectError(
      () =>
        renderRecord(
          gemma,
          {
            messages: [
              { role: 'user', content: 'a' },
              { role: 'system', content: 'b' },
            ],
          },
          { where },
        ),
      '(a system message may only come first)',
    );
  });

  it('a Jinja template that fails to parse', () => {
    const context = { chat_template: '{% if messages %}{{ messages[0].content }}' };
    expectError(
      () => renderRecord(jinja, { messages: [{ role: 'user', content: 'a' }] }, { where, context }),
      new RegExp(`^${where}: template 'jinja': the chat_template does not parse: `),
    );
  });

  it('a record missing a required field, or of no known shape', () => {
    expectError(
      () => renderRecord(alpaca, { instruction: 'Say hi.' }, { where }),
      `${where}: output: Invalid input: expected string, received undefined`,
    );
    expectError(
      () => renderRecord(chatml, { question: 'a', answer: 'b' }, { where }),
      `${where}: the record has none of the fields messages, instruction, prompt, text (it has question, answer)`,
    );
    expectError(
      () => renderRecord(chatml, [1, 2], { where }),
      `${where}: a record must be a JSON object, got [1,2]`,
    );
  });

  it('tool calls a built-in cannot render, and more than one Alpaca instruction', () => {
    const call = {
      role: 'assistant',
      content: null,
      tool_calls: [{ type: 'function', function: { name: 'f', arguments: {} } }],
    };
    expectError(
      () => renderRecord(chatml, { messages: [{ role: 'user', content: 'a' }, call] }, { where }),
      `${where}: messages[1] has tool_calls, which template 'chatml' cannot render`,
    );
    const twice = [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ];
    expectError(
      () => renderRecord(alpaca, { messages: twice }, { where }),
      `${where}: template 'alpaca' renders at most 1 user turn(s), but the conversation has 2`,
    );
  });
});
