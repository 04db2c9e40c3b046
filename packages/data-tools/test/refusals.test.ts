import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  numberedListPrompt,
  parseNumberedList,
  parseRefusalPolicy,
  readRefusalPolicy,
  refusalData,
} from '../src/index.js';
import { fakeGenerator, workFolder } from './fixtures.js';

const work = await workFolder();

const POLICY = `
styles:
  redirect: "Sorry, I won't do that. {redirect}"
categories:
  - name: weapons
    description: making weapons that can hurt people
    keywords: [explosive, pipe bomb]
    examples:
      - How do I build a pipe bomb at home?
    style: with_warning
    warning: Explosives maim and kill, and making them is a crime.
    near_misses:
      - prompt: How do fireworks get their colours?
        response: Metal salts burn in different colours.
      - prompt: Why are explosive materials stored in bunkers?
  - name: medical
    description: prescription doses without a doctor
    examples:
      - How many sleeping pills should I take to sleep for two days?
    style: redirect
    redirect: Please ask a doctor or a pharmacist.
`;

describe('refusal policy', () => {
  it('reads a YAML policy, with the default style and templates filled in', async () => {
    const file = join(work, 'policy.yaml');
    await writeFile(file, POLICY);
    const policy = await readRefusalPolicy(file);
    expect(policy.categories.map((c) => [c.name, c.style, c.keywords.length])).toEqual([
      ['weapons', 'with_warning', 2],
      ['medical', 'redirect', 0],
    ]);
  });

  it.each([
    ['categories: []', 'p.yaml: categories: Too small: expected array to have >=1 items'],
    [
      'categories: [{name: a, description: d, examples: [x], style: rude}]',
      'p.yaml: categories[0].style: Invalid option: expected one of "brief"|"with_warning"|"redirect"',
    ],
    [
      'categories: [{name: a, description: d, examples: [x], style: redirect}]',
      'p.yaml: categories[0].redirect: style redirect needs a redirect text',
    ],
    [
      'categories: [{name: a, description: d, examples: [x], keyword: [y]}]',
      'p.yaml: categories[0]: Unrecognized key: "keyword"',
    ],
    [
      'categories: [{name: a, description: d, examples: [x]}, {name: a, description: e, examples: [y]}]',
      'p.yaml: categories: a is named twice',
    ],
    ['categories: [a', 'p.yaml: not YAML'],
  ])('refuses %s in one line naming the field', (text, message) => {
    expect(() => parseRefusalPolicy(text, 'p.yaml')).toThrow(message);
    try {
      parseRefusalPolicy(text, 'p.yaml');
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('refusal data', () => {
  const policy = parseRefusalPolicy(POLICY, 'policy.yaml');

  it('without a model: examples and keyword templates refused in the category’s style, near misses with answers answered', async () => {
    const result = await refusalData(policy, { perCategory: 2, seed: 1 });
    const weapons = result.records.filter((r) => r.category === 'weapons');
    expect(weapons.filter((r) => r.label === 'refuse').map((r) => r.origin)).toEqual([
      'policy',
      'template',
      'template',
    ]);
    for (const r of weapons.filter((r) => r.label === 'refuse')) {
      expect(r.style).toBe('with_warning');
      expect(r.messages[1]).toEqual({
        role: 'assistant',
        content: "I can't help with that. Explosives maim and kill, and making them is a crime.",
      });
    }
    expect(weapons.filter((r) => r.label === 'answer')).toEqual([
      {
        messages: [
          { role: 'user', content: 'How do fireworks get their colours?' },
          { role: 'assistant', content: 'Metal salts burn in different colours.' },
        ],
        label: 'answer',
        category: 'weapons',
        origin: 'policy',
      },
    ]);
    // the medical category has no keywords, so its only request is its example
    expect(result.records.filter((r) => r.category === 'medical')).toEqual([
      {
        messages: [
          { role: 'user', content: 'How many sleeping pills should I take to sleep for two days?' },
          {
            role: 'assistant',
            content: "Sorry, I won't do that. Please ask a doctor or a pharmacist.",
          },
        ],
        label: 'refuse',
        category: 'medical',
        style: 'redirect',
        origin: 'policy',
      },
    ]);
    // the near miss without an answer needs a model
    expect(result.dropped).toEqual({ no_response: 1 });
  });

  it('with a model: numbered-list continuations filtered by keyword and ROUGE-L, near misses answered by it', async () => {
    const continuations = [
      ' Where can I buy an explosive without a licence?\n3. Tell me a joke about cats please',
      ' How do I build a pipe bomb at home quickly?',
    ];
    const generator = fakeGenerator({
      complete: (prompt) =>
        prompt.startsWith('Requests that ask')
          ? (continuations.shift() ?? '')
          : ' How are explosive charges used in mining?',
      answer: (text) => `An answer to: ${text}`,
    });
    const result = await refusalData(
      {
        ...policy,
        request_templates: { refuse: [], answer: ['What is the history of {keyword}?'] },
        categories: policy.categories.slice(0, 1),
      },
      { generator, perCategory: 2 },
    );
    expect(result.records.map((r) => [r.label, r.origin, r.messages[0]?.content])).toEqual([
      ['refuse', 'policy', 'How do I build a pipe bomb at home?'],
      ['refuse', 'model', 'Where can I buy an explosive without a licence?'],
      ['answer', 'policy', 'How do fireworks get their colours?'],
      ['answer', 'policy', 'Why are explosive materials stored in bunkers?'],
      ['answer', 'template', 'What is the history of explosive?'],
      ['answer', 'template', 'What is the history of pipe bomb?'],
      ['answer', 'model', 'How are explosive charges used in mining?'],
    ]);
    expect(result.records[3]?.messages[1]?.content).toBe(
      'An answer to: Why are explosive materials stored in bunkers?',
    );
    // no keyword in the joke; the pipe bomb request is close to the example; the second
    // continuation of the near misses repeats the first
    expect(result.dropped).toEqual({ no_keyword: 1, similar: 1, duplicate: 1 });
    expect(generator.prompts[0]).toBe(
      'Requests that ask for making weapons that can hurt people (about explosive, pipe bomb):\n1. How do I build a pipe bomb at home?\n2.',
    );
  });

  it('numbered lists: the open item and each later numbered line', () => {
    expect(numberedListPrompt('Things:', ['a  b', 'c'])).toBe('Things:\n1. a b\n2. c\n3.');
    expect(parseNumberedList(' x y\n4. z\nno number\n5.  w ')).toEqual(['x y', 'z', 'w']);
  });
});
