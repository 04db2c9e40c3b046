import type { ChatMessage, ChatToolDefinition } from '@tunekit/core';
import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { QWEN25_TEMPLATE } from '../../test/qwen25-template.js';
import { PHI3_JINJA, zephyr as ZEPHYR_BUILTIN, ZEPHYR_JINJA } from '../builtins/index.js';
import { createJinjaTemplate, jinja } from './jinja-template.js';
import { renderText } from './render-text.js';
import { SpanError } from './span-error.js';

const exchange: ChatMessage[] = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: 'Bye' },
  { role: 'assistant', content: 'Goodbye.' },
];

const weather: ChatToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object' },
  },
};

const assistantTexts = (r: {
  text: string;
  spans: readonly { role: string; start: number; end: number }[];
}) => r.spans.filter((s) => s.role === 'assistant').map((s) => r.text.slice(s.start, s.end));

describe('jinja', () => {
  it("renders the model's chat_template from the context with its special tokens", () => {
    const r = jinja.render(exchange.slice(0, 2), {
      context: { chat_template: ZEPHYR_JINJA, eos_token: '</s>' },
      addGenerationPrompt: false,
    });
    expect(r.text).toBe('<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n');
    expect(assistantTexts(r)).toEqual(['Hello!</s>']);
  });

  it('picks default or tool_use from named templates, as transformers does', () => {
    const context = {
      chat_template: [
        { name: 'default', template: 'D{{ messages | length }}' },
        { name: 'tool_use', template: 'T{{ tools | length }}' },
      ],
    };
    expect(jinja.render([], { context }).text).toBe('D0');
    expect(jinja.render([], { context, tools: [weather] }).text).toBe('T1');
    expect(jinja.chatTemplate(context)).toBe('D{{ messages | length }}');
    expect(() =>
      jinja.render([], { context: { chat_template: [{ name: 'rag', template: 'x' }] } }),
    ).toThrow(
      "template 'jinja': tokenizer_config.json has no chat_template named 'default'; it has rag",
    );
  });

  it('hands tools to a template that renders them, and says so', () => {
    const qwen = createJinjaTemplate(QWEN25_TEMPLATE, { id: 'qwen2.5' });
    expect(qwen.supportsTools()).toBe(true);
    expect(createJinjaTemplate(ZEPHYR_JINJA).supportsTools()).toBe(false);
    const r = qwen.render([{ role: 'user', content: 'Weather in Paris?' }], { tools: [weather] });
    expect(r.text).toContain(
      '<tools>\n{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city", "parameters": {"type": "object"}}}\n</tools>',
    );
  });

  it('passes extra variables, which win over the special tokens', () => {
    const t = createJinjaTemplate('{{ eos_token }}|{{ greeting }}');
    expect(
      t.render([], { context: { eos_token: '</s>' }, variables: { greeting: 'hi' } }).text,
    ).toBe('</s>|hi');
    expect(
      t.render([], { context: { eos_token: '</s>' }, variables: { eos_token: '<E>' } }).text,
    ).toBe('<E>|');
  });

  it('finds assistant spans from {% generation %} blocks when the template has them', () => {
    // Phi-3 with generation blocks, as TRL's assistant_only_loss asks templates to mark them.
    const marked =
      "{% for message in messages %}{% if message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n'}}{% generation %}{{message['content'] + '<|end|>'}}{% endgeneration %}{{'\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";
    const r = createJinjaTemplate(marked).render(exchange, {
      context: { eos_token: '<|endoftext|>' },
    });
    const plain = createJinjaTemplate(PHI3_JINJA).render(exchange, {
      context: { eos_token: '<|endoftext|>' },
    });
    expect(r.text).toBe(plain.text);
    expect(assistantTexts(r)).toEqual(['Hello!<|end|>', 'Goodbye.<|end|>']);
  });

  it('keeps whitespace control around generation tags as the renderer does', () => {
    const t = createJinjaTemplate(
      '{% for m in messages %}\n  {% generation -%}\n   [{{ m.content }}]\n  {%- endgeneration %}\n{% endfor %}',
    );
    const r = t.render([{ role: 'assistant', content: 'a' }]);
    const unmarked = createJinjaTemplate(
      '{% for m in messages %}\n  {% if true -%}\n   [{{ m.content }}]\n  {%- endif %}\n{% endfor %}',
    ).render([{ role: 'user', content: 'a' }]);
    expect(r.text).toBe(unmarked.text);
    expect(assistantTexts(r)).toEqual(['[a]']);
  });

  it('takes in an eos the template writes only once more turns follow (Qwen1.5)', () => {
    // Qwen/Qwen1.5-1.8B-Chat: a final message gets no <|im_end|> unless a prompt follows.
    const qwen15 =
      "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content']}}{% if (loop.last and add_generation_prompt) or not loop.last %}{{ '<|im_end|>' + '\n'}}{% endif %}{% endfor %}{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    const r = createJinjaTemplate(qwen15).render(exchange, {
      context: { eos_token: '<|im_end|>' },
    });
    expect(assistantTexts(r)).toEqual(['Hello!<|im_end|>', 'Goodbye.']);
  });

  it('leaves the closing eos of a Phi-3 conversation out of the last turn', () => {
    const r = createJinjaTemplate(PHI3_JINJA).render(exchange, {
      context: { eos_token: '<|endoftext|>' },
    });
    expect(r.text.endsWith('Goodbye.<|end|>\n<|endoftext|>')).toBe(true);
    expect(assistantTexts(r)).toEqual(['Hello!<|end|>', 'Goodbye.<|end|>']);
  });

  it('is an error that says so when assistant spans cannot be determined', () => {
    // Turns written newest first: neither markers nor prefix renders place them in text order.
    const reversed =
      '{% for m in messages | reverse %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}';
    const run = () => createJinjaTemplate(reversed, { id: 'reversed' }).render(exchange);
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      "template 'reversed': cannot tell which text of assistant turn messages[1] to train on, because cannot tell where it starts",
    );
    expect(run).toThrow('{% generation %}');
  });

  it('renders the text alone for inference, also where spans cannot be found', () => {
    const reversed = createJinjaTemplate(
      '{% for m in messages | reverse %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}',
    );
    expect(() => reversed.render(exchange)).toThrow(SpanError);
    expect(renderText(reversed, exchange)).toBe(
      '<assistant>Goodbye.</assistant><user>Bye</user><assistant>Hello!</assistant><user>Hi</user>',
    );
    // a template without renderText: the text of its render
    expect(renderText(ZEPHYR_BUILTIN, exchange.slice(0, 1), { addGenerationPrompt: true })).toBe(
      ZEPHYR_BUILTIN.render(exchange.slice(0, 1), { addGenerationPrompt: true }).text,
    );
  });

  it('names the template when it does not parse, fails, or is missing', () => {
    expect(() =>
      createJinjaTemplate('{% for m in messages %}{{ m.content }}', { id: 'broken' }),
    ).toThrow(/^template 'broken': the chat_template does not parse: /);
    const strict = createJinjaTemplate(
      "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
      { id: 'gemma-1' },
    );
    expect(() => strict.render([{ role: 'system', content: 's' }])).toThrow(
      "template 'gemma-1': the chat_template failed to render: System role not supported",
    );
    expect(() => jinja.render(exchange, { context: {} })).toThrow(
      "template 'jinja': tokenizer_config.json has no chat_template; name a built-in template instead",
    );
  });
});
