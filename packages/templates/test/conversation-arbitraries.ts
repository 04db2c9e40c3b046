import type { ChatMessage, ChatRole } from '@tunekit/core';
import fc from 'fast-check';

// Random conversations for the property tests of the built-in templates.

// Letters, whitespace of several kinds (trim must agree), quotes, Jinja's own delimiters,
// non-BMP characters and combining marks.
const char = fc.constantFrom(
  ...'abcXYZ019 .,?!\'"{}%#<>|-_'.split(''),
  '\n',
  '\t',
  '\r',
  '\u00a0',
  '\u2003',
  'é',
  'e\u0301',
  '中',
  '🙂',
);
export const content = fc.array(char, { maxLength: 12 }).map((chars) => chars.join(''));
export const message = (role: ChatRole, text = content) =>
  text.map((value): ChatMessage => ({ role, content: value }));

/**
 * Any order of the given roles, except that a conversation does not open with the assistant:
 * there is no text "before" a first turn to tell its header from (Llama 3 writes bos with it).
 */
export const anyOrder = (roles: ChatRole[]) =>
  fc
    .array(
      fc.constantFrom(...roles).chain((role) => message(role)),
      { maxLength: 6 },
    )
    .filter((messages) => messages[0]?.role !== 'assistant');

/** An optional system message, then user/assistant alternating from user. */
export const alternating = (system = content) =>
  fc
    .tuple(fc.option(message('system', system), { nil: undefined }), fc.nat({ max: 5 }))
    .chain(([first, turns]) =>
      fc
        .tuple(
          ...Array.from({ length: turns }, (_, i) => message(i % 2 === 0 ? 'user' : 'assistant')),
        )
        .map((rest) => (first === undefined ? rest : [first, ...rest])),
    );

// Llama 2's template tests `system_message != false`. Python's Jinja keeps any system message
// ('' != False), as the built-in does; @huggingface/jinja compares with JavaScript's loose `!=`,
// which drops the strings that coerce to 0 ('', ' ', '0'). Those are left out for llama2.
export const nonEmpty = content.filter((text) => Number(text) !== 0);

export const instruction = fc
  .tuple(message('user'), fc.option(message('assistant'), { nil: undefined }))
  .map(([user, answer]) => (answer === undefined ? [user] : [user, answer]));
