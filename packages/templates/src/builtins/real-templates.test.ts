import { Template } from '@huggingface/jinja';
import type { ChatMessage, ChatTemplate } from '@tunekit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alternating,
  anyOrder,
  content,
  message,
  nonEmpty,
} from '../../test/conversation-arbitraries.js';
import { QWEN25_TEMPLATE } from '../../test/qwen25-template.js';
import {
  CHATML_REAL,
  GEMMA_REAL,
  LLAMA2_REAL,
  LLAMA3_REAL,
  MISTRAL_REAL,
  PHI3_REAL,
  type RealTemplate,
  ZEPHYR_REAL,
} from '../../test/real-templates.js';
import { renderChatTemplate } from '../jinja/index.js';
import { chatml, gemma, llama2, llama3, mistral, phi3, qwen25, zephyr } from './index.js';

// Issue 11, item 12: each built-in renders random conversations to exactly the text that
// @huggingface/jinja renders from the real chat_template of the model it is named after (with
// that model's special tokens), and its assistant spans are the ones found in the real template's
// text. The real templates and where they come from are in test/real-templates.ts.

const QWEN25_REAL: RealTemplate = {
  model: 'Qwen/Qwen2.5-0.5B-Instruct',
  source: 'test/qwen25-template.ts',
  chat_template: QWEN25_TEMPLATE,
  bos_token: '',
  eos_token: '<|im_end|>',
};

/**
 * What Mistral's template writes for an assistant turn. Its system message moves to whichever user
 * turn is last, so prefix renders cannot find spans once it has one (issue 11, item 9); there the
 * spans are checked against this text instead, in the real template's text (which equals the
 * built-in's).
 */
const mistralTurn = (content: string) => ` ${content}${MISTRAL_REAL.eos_token}`;

const cases: [
  ChatTemplate,
  RealTemplate,
  fc.Arbitrary<ChatMessage[]>,
  ((content: string) => string)?,
][] = [
  [chatml, CHATML_REAL, anyOrder(['system', 'user', 'assistant', 'tool', 'function'])],
  [zephyr, ZEPHYR_REAL, anyOrder(['system', 'user', 'assistant'])],
  [llama2, LLAMA2_REAL, alternating(nonEmpty)],
  [llama3, LLAMA3_REAL, anyOrder(['system', 'user', 'assistant', 'tool', 'function'])],
  [mistral, MISTRAL_REAL, alternating(), mistralTurn],
  [gemma, GEMMA_REAL, alternating()],
  [phi3, PHI3_REAL, anyOrder(['system', 'user', 'assistant'])],
  [qwen25, QWEN25_REAL, anyOrder(['system', 'user', 'assistant', 'tool'])],
];

describe.each(cases)('$id', (template, real, conversations, turnText) => {
  const jinja = new Template(real.chat_template);
  const context = { bos_token: real.bos_token, eos_token: real.eos_token };

  it(`renders as ${real.model}'s own chat_template does, for 200 random conversations`, () => {
    fc.assert(
      fc.property(conversations, fc.boolean(), (messages, prompt) => {
        const expected = jinja.render({ messages, add_generation_prompt: prompt, ...context });
        const opts = { addGenerationPrompt: prompt, context };
        const rendered = template.render(messages, opts);
        expect(rendered.text).toBe(expected);
        const spans = rendered.spans.filter((span) => span.role === 'assistant');
        if (turnText !== undefined && messages[0]?.role === 'system') {
          const answers = messages.filter((m) => m.role === 'assistant');
          expect(spans.map((span) => expected.slice(span.start, span.end))).toEqual(
            answers.map((m) => turnText(String(m.content))),
          );
          return;
        }
        const viaReal = renderChatTemplate(real.chat_template, messages, opts, real.model);
        expect(spans).toEqual(viaReal.spans);
      }),
      { numRuns: 200 },
    );
  });
});

// Tool calls (arguments as an object or as JSON text, content null or text), tool results and
// tool definitions, through Qwen2.5's own template and the qwen2_5 built-in.
const name = fc.constantFrom('get_weather', 'search', 'f');
const toolCall = fc.record({
  type: fc.constant('function' as const),
  function: fc.record({
    name,
    arguments: fc.oneof(
      fc.dictionary(fc.constantFrom('city', 'q', 'n'), fc.oneof(content, fc.integer())),
      content.map((text) => JSON.stringify({ q: text })),
    ),
  }),
});
const callTurn = fc
  .tuple(fc.option(content, { nil: null }), fc.array(toolCall, { minLength: 1, maxLength: 2 }))
  .map(([text, tool_calls]): ChatMessage => ({ role: 'assistant', content: text, tool_calls }));
const toolTurns = fc
  .array(
    fc.oneof(
      callTurn,
      fc.constantFrom('user', 'assistant', 'tool').chain((role) => message(role)),
    ),
    { maxLength: 6 },
  )
  .chain((rest) =>
    fc
      .option(message('system'), { nil: undefined })
      .map((first) => (first === undefined ? rest : [first, ...rest])),
  )
  .filter((messages) => messages[0]?.role !== 'assistant');
const tools = fc.array(
  name.map((fn) => ({
    type: 'function' as const,
    function: { name: fn, description: 'd', parameters: { type: 'object' } },
    strict: true,
  })),
  { maxLength: 2 },
);

describe('qwen2_5 tool turns', () => {
  const jinja = new Template(QWEN25_REAL.chat_template);
  const context = { eos_token: QWEN25_REAL.eos_token };

  it("renders tool calls, results and definitions as Qwen2.5's own template does", () => {
    fc.assert(
      fc.property(toolTurns, tools, fc.boolean(), (messages, offered, prompt) => {
        const expected = jinja.render({
          messages,
          tools: offered.length > 0 ? offered : null,
          add_generation_prompt: prompt,
          ...context,
        });
        const opts = { addGenerationPrompt: prompt, context, tools: offered };
        const rendered = qwen25.render(messages, opts);
        expect(rendered.text).toBe(expected);
        const viaReal = renderChatTemplate(QWEN25_REAL.chat_template, messages, opts, 'qwen');
        expect(rendered.spans.filter((span) => span.role === 'assistant')).toEqual(viaReal.spans);
      }),
      { numRuns: 200 },
    );
  });
});
