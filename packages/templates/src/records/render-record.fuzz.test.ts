import type { ChatTemplate, ChatTemplateContext } from '@tunekit/core';
import { expectFinite, FUZZ_CASE_MS, FUZZ_SEED, fuzzOutcome } from '@tunekit/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatmlTokenizer } from '../../test/byte-tokenizer.js';
import { QWEN25_TEMPLATE } from '../../test/qwen25-template.js';
import { BUILTIN_TEMPLATES, CHATML_JINJA } from '../builtins/index.js';
import { jinja } from '../jinja/index.js';
import { LOSS_POLICIES, tokenizeExample } from '../loss/index.js';
import { renderRecord } from './render-record.js';

const tokenizer = chatmlTokenizer();

/** Each built-in, and `jinja` with two real templates (ChatML's, Qwen2.5's with tools). */
const TEMPLATES: readonly [string, ChatTemplate, ChatTemplateContext][] = [
  ...BUILTIN_TEMPLATES.map((t): [string, ChatTemplate, ChatTemplateContext] => [t.id, t, {}]),
  ['jinja chatml', jinja, { chat_template: CHATML_JINJA, eos_token: '<|im_end|>' }],
  ['jinja qwen2.5', jinja, { chat_template: QWEN25_TEMPLATE, eos_token: '<|im_end|>' }],
];

/** Text a message may hold: words, the templates' own markers, Jinja delimiters, any Unicode. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.lorem({ maxCount: 4 }) },
  fc.constantFrom(
    '',
    ' ',
    '\n',
    '<|im_start|>',
    '<|im_end|>',
    '{{ x }}',
    '{% if %}',
    '[INST]',
    '</s>',
    '😀',
  ),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
);
const json = fc.jsonValue({ maxDepth: 2 });
const role = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('system', 'user', 'assistant', 'tool') },
  fc.constantFrom('function', 'bot', ''),
  json,
);
const content = fc.oneof(
  { weight: 10, arbitrary: text },
  fc.constant(null),
  fc.array(fc.record({ type: fc.constantFrom('text', 'image'), text }), { maxLength: 2 }),
  json,
);
const toolCall = fc.record(
  {
    type: fc.constant('function'),
    function: fc.record(
      { name: fc.oneof(text, json), arguments: fc.oneof(json, text) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['function'] },
);
const message = fc.record(
  {
    role,
    content,
    tool_calls: fc.array(toolCall, { maxLength: 2 }),
    name: text,
    reasoning_content: text,
  },
  { requiredKeys: ['role', 'content'] },
);
const tool = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('function'),
      function: fc.record(
        { name: text, description: text, parameters: fc.dictionary(fc.string(), json) },
        { requiredKeys: ['name'] },
      ),
    }),
  },
  json,
);

/** A messages record: mostly user/assistant alternating, sometimes any order, tools or not. */
const record = fc.record(
  {
    messages: fc.oneof(
      {
        weight: 3,
        arbitrary: fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 3 }).map((turns) =>
          turns.flatMap(([q, a]) => [
            { role: 'user', content: q },
            { role: 'assistant', content: a },
          ]),
        ),
      },
      fc.array(message, { maxLength: 5 }),
      json,
    ),
    tools: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, fc.array(tool, { maxLength: 2 })),
  },
  { requiredKeys: ['messages'] },
);

describe('chat messages through the templates (fuzz): spans, or a UserError naming the record', () => {
  it('renders records and finds their loss spans, with every template', async () => {
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TEMPLATES),
        record,
        fc.constantFrom(...LOSS_POLICIES),
        async ([, template, context], r, lossPolicy) => {
          const example = await fuzzOutcome(() => {
            const out = renderRecord(template, r, { where: 'fuzz.jsonl:7', context });
            return {
              out,
              tokens: tokenizeExample(out, tokenizer, { where: 'fuzz.jsonl:7', lossPolicy }),
            };
          }, /^fuzz\.jsonl:7: /);
          if (example === undefined) return;
          rendered++;
          const { out, tokens } = example;
          // Spans lie in the text, in order, without overlap.
          let end = 0;
          for (const span of out.spans) {
            expect(span.start).toBeGreaterThanOrEqual(end);
            expect(span.end).toBeGreaterThanOrEqual(span.start);
            end = span.end;
          }
          expect(end).toBeLessThanOrEqual(out.text.length);
          expectFinite(tokens, 'tokens');
          expect(tokens.labels).toHaveLength(tokens.input_ids.length);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 1500, timeout: FUZZ_CASE_MS },
    );
    expect(rendered).toBeGreaterThan(300);
  });
});
