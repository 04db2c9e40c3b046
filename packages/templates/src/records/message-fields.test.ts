import type { ChatMessage } from '@tunekit/core';
import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { QWEN25_TEMPLATE } from '../../test/qwen25-template.js';
import { chatml, phi3 } from '../builtins/index.js';
import { contextFromTokenizer } from '../context.js';
import { createJinjaTemplate, jinja } from '../jinja/index.js';
import { renderRecord } from './render-record.js';

// Issue 11, item 11: message fields reach a Jinja template as transformers passes them, and the
// record schema takes tool calls, content parts, the function role and tool definitions as
// OpenAI and HF write them.

const where = 'data.jsonl:7';
const qwen = createJinjaTemplate(QWEN25_TEMPLATE);
const assistantTexts = (r: {
  text: string;
  spans: readonly { role: string; start: number; end: number }[];
}) => r.spans.filter((s) => s.role === 'assistant').map((s) => r.text.slice(s.start, s.end));

const call: ChatMessage = {
  role: 'assistant',
  content: null,
  tool_calls: [
    { type: 'function', function: { name: 'get_weather', arguments: '{"city": "Rome"}' } },
  ],
};
const toolConversation: ChatMessage[] = [
  { role: 'user', content: 'Weather in Rome?' },
  call,
  { role: 'tool', content: '{"temp": 25}' },
  { role: 'assistant', content: 'Warm.' },
];

describe('message fields', () => {
  it('renders a tool-call message with content null (it crashed with a TypeError), training on the call and not on the result', () => {
    const r = qwen.render(toolConversation);
    expect(r.text).toContain(
      '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": "{\\"city\\": \\"Rome\\"}"}\n</tool_call><|im_end|>',
    );
    expect(assistantTexts(r)).toEqual([
      '<tool_call>\n{"name": "get_weather", "arguments": "{\\"city\\": \\"Rome\\"}"}\n</tool_call><|im_end|>',
      'Warm.<|im_end|>',
    ]);
    expect(assistantTexts(r).join('')).not.toContain('tool_response');
  });

  it('gives the template every field of a record message as given', () => {
    const chat_template =
      '{% for m in messages %}[{{ m.role }}|{{ m.name }}|{{ m.reasoning_content }}|{{ m.thought }}|{{ m.content is none }}]' +
      '{% if m.content is string %}{{ m.content }}{% elif m.content %}{% for part in m.content %}<{{ part.type }}:{{ part.text }}>{% endfor %}{% endif %}/{% endfor %}';
    const record = {
      messages: [
        { role: 'user', name: 'ada', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: 'Hello', reasoning_content: 'greet', thought: 'be kind' },
        { role: 'assistant', content: null, tool_calls: call.tool_calls },
        { role: 'function', name: 'get_weather', content: '{"temp": 25}' },
      ],
    };
    const r = renderRecord(jinja, record, { where, context: { chat_template } });
    // a template that loops over content parts gets text content as one text part (jinjaMessages)
    expect(r.text).toBe(
      '[user|ada|||false]<text:Hi>/[assistant||greet|be kind|false]<text:Hello>/[assistant||||true]/[function|get_weather|||false]<text:{"temp": 25}>/',
    );
  });

  it("gives the template the tokenizer's special tokens, as transformers does", () => {
    const context = contextFromTokenizer({
      bosToken: '<s>',
      eosToken: '</s>',
      padToken: '<pad>',
      unkToken: '<unk>',
      chatTemplate:
        '{{ bos_token }}{{ pad_token }}{{ unk_token }}{% for m in messages %}{{ m.content }}{% endfor %}{{ eos_token }}',
    });
    const r = renderRecord(
      jinja,
      { messages: [{ role: 'user', content: 'Hi' }] },
      { where, context },
    );
    expect(r.text).toBe('<s><pad><unk>Hi</s>');
  });

  it('gives the text of content parts to a template that uses content as text', () => {
    const parts = [
      { type: 'text', text: 'Translate:' },
      { type: 'text', text: 'chat' },
    ];
    const messages = [
      { role: 'user', content: parts },
      { role: 'assistant', content: [{ type: 'text', text: 'cat' }] },
    ];
    expect(renderRecord(qwen, { messages }, { where }).text).toContain(
      '<|im_start|>user\nTranslate:\nchat<|im_end|>\n<|im_start|>assistant\ncat<|im_end|>',
    );
    // Qwen3 writes '' for content that is not a string; it gets the text.
    const qwen3Like = {
      chat_template:
        "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{{ '' }}{% endif %}|{% endfor %}",
    };
    expect(renderRecord(jinja, { messages }, { where, context: qwen3Like }).text).toBe(
      'Translate:\nchat|cat|',
    );
    const r = renderRecord(chatml, { messages }, { where });
    expect(r.text).toBe(
      '<|im_start|>user\nTranslate:\nchat<|im_end|>\n<|im_start|>assistant\ncat<|im_end|>\n',
    );
    expect(assistantTexts(r)).toEqual(['cat<|im_end|>']);
  });

  it('reads a tool-call message without content, as OpenAI writes one, as content null', () => {
    const { content: _, ...noContent } = call;
    const messages = [toolConversation[0], noContent, ...toolConversation.slice(2)];
    expect(renderRecord(qwen, { messages }, { where }).text).toBe(
      qwen.render(toolConversation).text,
    );
    expect(() => renderRecord(qwen, { messages: [{ role: 'user' }] }, { where })).toThrow(
      `${where}: messages[0].content: missing; a message without content must have tool_calls`,
    );
  });

  it("joins a composed system message with the text of a record's system parts", () => {
    const record = {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
    };
    const r = renderRecord(chatml, record, { where, system: { text: 'Answer in English.' } });
    expect(
      r.text.startsWith('<|im_start|>system\nAnswer in English.\n\nBe brief.<|im_end|>\n'),
    ).toBe(true);
  });

  it('keeps the keys of a tool definition that the schema does not name', () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'get_weather', parameters: { type: 'object' }, strict: true },
      },
    ];
    const r = renderRecord(qwen, { messages: toolConversation, tools }, { where });
    expect(r.text).toContain(
      '<tools>\n{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}, "strict": true}}\n</tools>',
    );
  });

  it('names the record and the part a built-in cannot render', () => {
    const image = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'x.png' } },
          ],
        },
      ],
    };
    const run = () => renderRecord(chatml, image, { where });
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      `${where}: messages[0].content[1] is a 'image_url' part, which template 'chatml' cannot render; it renders text parts`,
    );
    const fn = { messages: [{ role: 'function', name: 'f', content: '1' }] };
    expect(() => renderRecord(phi3, fn, { where })).toThrow(
      `${where}: messages[0] has role 'function', which template 'phi3' cannot render`,
    );
    expect(renderRecord(chatml, fn, { where }).text).toBe('<|im_start|>function\n1<|im_end|>\n');
    expect(() =>
      renderRecord(chatml, { messages: [{ role: 'user', content: 3 }] }, { where }),
    ).toThrow(`${where}: messages[0].content: expected a string, null, or a list of content parts`);
  });
});
