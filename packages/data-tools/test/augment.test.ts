import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  augmentRecords,
  balanceByDifficulty,
  lengthDifficulty,
  readDataSet,
  ruleEdits,
  swapWords,
} from '../src/index.js';
import { fakeGenerator, workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();
const read = async (name: string, records: unknown[]) =>
  (await readDataSet(await writeJsonl(join(work, name), records))).records;

const alpaca = await read('alpaca.jsonl', [
  { id: 'sum', instruction: 'What is 12 plus 30?', input: '', output: '12 plus 30 is 42.' },
  {
    instruction: 'Write a short line about a king and his son.',
    input: '',
    output: 'The king smiled at his son.',
  },
  { instruction: 'Name three primary colours.', input: '', output: 'Red, yellow and blue.' },
]);

const sequence =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

describe('rule-based counterfactual edits', () => {
  it('swap word pairs both ways in the instruction and the answer, keeping case', () => {
    expect(
      swapWords('The King and HIS son; he left.', [
        ['king', 'queen'],
        ['he', 'she'],
      ]),
    ).toBe('The Queen and HIS son; she left.');
    expect(
      swapWords('She met her brother.', [
        ['brother', 'sister'],
        ['he', 'she'],
      ]),
    ).toBe('He met her sister.');
  });

  it('give arithmetic new operands of the same digit count and recompute the result', () => {
    const [edit] = ruleEdits('What is 12 plus 30?', '12 plus 30 is 42.', {
      swaps: [],
      random: sequence(0.5, 0.1),
    });
    // 10 + floor(0.5 * 89) = 54, one past 12 so 55; 10 + floor(0.1 * 89) = 18; 55 + 18 = 73
    expect(edit).toEqual({
      operation: 'number_swap',
      instruction: 'What is 55 plus 18?',
      response: '55 plus 18 is 73.',
    });
    const [subtract] = ruleEdits('Subtract 3 from 9.', 'The answer is 6.', {
      swaps: [],
      random: sequence(0.9, 0.2),
    });
    // a = 9 -> floor(0.9 * 9) = 8 (< 9, kept), b = 3 -> floor(0.2 * 9) = 1: 8 - 1 = 7
    expect(subtract).toMatchObject({
      instruction: 'Subtract 1 from 8.',
      response: 'The answer is 7.',
    });
  });

  it('leave alone what they cannot rewrite', () => {
    const opts = { swaps: [], random: sequence(0.5, 0.5) };
    // the answer does not state the result; three numbers; decimals; a negative result
    expect(ruleEdits('What is 12 plus 30?', 'Forty-two.', opts)).toEqual([]);
    expect(ruleEdits('What is 1 plus 2 plus 3?', '6', opts)).toEqual([]);
    expect(ruleEdits('What is 1.5 plus 2?', '3.5', opts)).toEqual([]);
    expect(ruleEdits('What is 3 minus 9?', '-6', opts)).toEqual([]);
  });

  it('augment without a model: the sources, then each edit with its provenance', async () => {
    const result = await augmentRecords(alpaca, { methods: ['rules'], seed: 3 });
    expect(result.records.map((r) => [r.source_id, r.operation])).toEqual([
      ['sum', 'source'],
      [`${join(work, 'alpaca.jsonl')}:2`, 'source'],
      [`${join(work, 'alpaca.jsonl')}:3`, 'source'],
      ['sum', 'number_swap'],
      [`${join(work, 'alpaca.jsonl')}:2`, 'word_swap'],
    ]);
    expect(result.records[4]?.messages).toEqual([
      { role: 'user', content: 'Write a short line about a queen and his daughter.' },
      { role: 'assistant', content: 'The queen smiled at his daughter.' },
    ]);
    expect(result.produced).toBe(2);
    await expect(augmentRecords(alpaca, { methods: ['paraphrase'] })).rejects.toThrow(
      'augment: paraphrase need a model (--model); rules work without one',
    );
  });
});

describe('model-made variants', () => {
  it('paraphrases keep the answer and pass the ROUGE-L and length filters', async () => {
    const replies: Record<string, string> = {
      'What is 12 plus 30?': 'Rewritten request: "Tell me the sum of 12 and 30."',
      'Write a short line about a king and his son.':
        'Write a short line about a king and his son.',
      'Name three primary colours.': 'Describe the weather on Mars today please',
    };
    const generator = fakeGenerator({
      answer: (text) => replies[text.split('\n')[1] ?? ''] ?? '',
    });
    const result = await augmentRecords(alpaca, {
      methods: ['paraphrase'],
      generator,
      includeSources: false,
    });
    expect(result.records).toEqual([
      {
        messages: [
          { role: 'user', content: 'Tell me the sum of 12 and 30.' },
          { role: 'assistant', content: '12 plus 30 is 42.' },
        ],
        source_id: 'sum',
        operation: 'paraphrase',
      },
    ]);
    expect(result.dropped).toEqual({ too_similar: 1, too_different: 1 });
    expect(generator.asked[0]).toMatch(/^Reword this request/);
  });

  it('counterfactual edits are answered by the model, in the conversation, once they pass', async () => {
    const [chat] = await read('chat.jsonl', [
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'How many legs does a spider have?' },
          { role: 'assistant', content: 'Eight.' },
        ],
      },
    ]);
    const generator = fakeGenerator({
      answer: (text, messages) =>
        text.startsWith('Change a detail')
          ? 'How many legs does an ant have?'
          : `Six (after ${messages.length} turns).`,
    });
    const result = await augmentRecords(chat ? [chat] : [], {
      methods: ['counterfactual'],
      generator,
      perRecord: 2,
      includeSources: false,
    });
    expect(result.records).toHaveLength(1);
    expect(result.records[0]?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How many legs does an ant have?' },
      { role: 'assistant', content: 'Six (after 4 turns).' },
    ]);
    // the second edit is the same ant question, a repeat, so only one edit was answered
    expect(result.dropped).toEqual({ duplicate: 1 });
    expect(generator.asked.filter((t) => !t.startsWith('Change a detail'))).toEqual([
      'How many legs does an ant have?',
    ]);
  });
});

describe('hard/easy balance', () => {
  it('keeps the largest subset with the wanted share of hard items, in order', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const kept = balanceByDifficulty(items, (i) => i < 2, 0.5, sequence(0.3, 0.6, 0.1));
    expect(kept.filter((i) => i < 2)).toEqual([0, 1]);
    expect(kept).toHaveLength(4);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
  });

  it('augment keeps the sources’ share of hard records (by answer length) among its variants', async () => {
    const records = await read('lengths.jsonl', [
      {
        instruction: 'Explain photosynthesis to a child.',
        input: '',
        output: 'Plants use light, water and air to make sugar and they grow.',
      },
      {
        instruction: 'Explain how rain forms in clouds.',
        input: '',
        output: 'Water evaporates, cools into droplets that join and fall as rain.',
      },
      { instruction: 'Name the capital of France.', input: '', output: 'Paris.' },
      { instruction: 'Name the largest planet there is.', input: '', output: 'Jupiter.' },
    ]);
    const generator = fakeGenerator({
      answer: (text) => {
        const instruction = text.split('\n')[1] ?? '';
        // the capital of France is copied back, so it yields no paraphrase
        return instruction.includes('France') ? instruction : `Please kindly ${instruction}`;
      },
    });
    const result = await augmentRecords(records, {
      methods: ['paraphrase'],
      generator,
      includeSources: false,
      balance: { difficulty: lengthDifficulty(records) },
    });
    const kinds = result.records.map((r) =>
      String(r.messages[0]?.content).includes('Explain') ? 'hard' : 'easy',
    );
    expect(kinds.sort()).toEqual(['easy', 'hard']);
    expect(result.dropped).toEqual({ too_similar: 1, balance: 1 });
  });
});
