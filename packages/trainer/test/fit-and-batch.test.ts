import type { Tokenizer } from '@tunekit/core';
import { seededRandom } from '@tunekit/core';
import { chatml as chatmlTemplate } from '@tunekit/templates';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHARS_PER_TOKEN } from '../src/data/fit-record.js';
import { loadSftData, type SftDataConfigInput } from '../src/index.js';
import { chatmlTokenizer, dataContainer, dataFolder, jsonl } from './data-helpers.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await chatmlTokenizer();
});

const load = (config: SftDataConfigInput, baseDir: string) =>
  loadSftData(
    { template: 'chatml', ...config },
    { container: dataContainer(), tokenizer, baseDir },
  );

const turn = (n: number) => [
  { role: 'user', content: `Question ${n}: what comes after ${n}?` },
  { role: 'assistant', content: `It is ${n + 1}, the number after ${n}.` },
];
const system = { role: 'system', content: 'You count.' };
const tokensOf = (messages: { role: string; content: string }[]) =>
  tokenizer.encode(chatmlTemplate.render(messages as never).text).length;

describe('max_length', () => {
  it('drops the oldest turns first and keeps the system turn', async () => {
    const messages = [system, ...turn(1), ...turn(2), ...turn(3)];
    const kept = [system, ...turn(3)];
    const dir = await dataFolder({ 'd.jsonl': jsonl([{ messages }]) });
    const data = await load({ train: 'd.jsonl', max_length: tokensOf(kept) }, dir);
    expect(tokenizer.decode(Array.from(data.trainExamples[0].input_ids))).toBe(
      chatmlTemplate.render(kept as never).text,
    );
    expect(data.stats.truncated).toBe(1);
    expect(data.stats.warnings).toContain(
      `1 examples are longer than max_length (${tokensOf(kept)} tokens): their oldest turns were dropped or their end cut: d.jsonl:1`,
    );
    const two = await load(
      { train: 'd.jsonl', max_length: tokensOf([system, ...turn(2), ...turn(3)]) },
      dir,
    );
    expect(tokenizer.decode(Array.from(two.trainExamples[0].input_ids))).toContain('Question 2');
  });

  it('cuts the end of what is still too long, the system turn first in it', async () => {
    const dir = await dataFolder({
      'chat.jsonl': jsonl([{ messages: [system, ...turn(1), ...turn(2)] }]),
      'text.jsonl': jsonl([{ text: 'word '.repeat(200) }]),
    });
    const maxLength = tokensOf([system, ...turn(2)]) - 4;
    const data = await load({ train: ['chat.jsonl', 'text.jsonl'], max_length: maxLength }, dir);
    const [chat, text] = data.trainExamples;
    expect(chat.input_ids.length).toBe(maxLength);
    const decoded = tokenizer.decode(Array.from(chat.input_ids));
    expect(
      decoded.startsWith('<|im_start|>system\nYou count.<|im_end|>\n<|im_start|>user\nQuestion 2'),
    ).toBe(true);
    expect(text.input_ids.length).toBe(maxLength);
    expect(data.stats.truncated).toBe(2);
  });
});

describe('a huge record', () => {
  it('is cut before it is tokenised: bounded work, the same tokens as a short record', async () => {
    const huge = 'lorem ipsum dolor sit amet, '.repeat(300_000); // 8.4 MB on one line
    const head = huge.slice(0, 20_000);
    const messages = (text: string) => [
      system,
      ...turn(1),
      { role: 'user', content: 'Say it all.' },
      { role: 'assistant', content: text },
    ];
    const dir = await dataFolder({
      'huge-text.jsonl': jsonl([{ text: huge }]),
      'huge-chat.jsonl': jsonl([{ messages: messages(huge) }]),
      'head-text.jsonl': jsonl([{ text: head }]),
      'head-chat.jsonl': jsonl([{ messages: messages(head) }]),
    });
    let longest = 0;
    const counting = Object.create(tokenizer, {
      encodeWithOffsets: {
        value: (text: string, opts: never) => {
          longest = Math.max(longest, text.length);
          return tokenizer.encodeWithOffsets(text, opts);
        },
      },
    });
    const maxLength = 96;
    const loadWith = (name: string) =>
      loadSftData(
        {
          template: 'chatml',
          train: [`${name}-text.jsonl`, `${name}-chat.jsonl`],
          max_length: maxLength,
        },
        { container: dataContainer(), tokenizer: counting, baseDir: dir },
      );
    const started = performance.now();
    const fromHuge = await loadWith('huge');
    expect(performance.now() - started).toBeLessThan(10_000);
    // Each text was cut to what max_length tokens can cover; the template adds a few tokens.
    expect(longest).toBeLessThan(maxLength * MAX_CHARS_PER_TOKEN + 400);
    const fromHead = await loadWith('head');
    expect(fromHuge.trainExamples.map((e) => Array.from(e.input_ids))).toEqual(
      fromHead.trainExamples.map((e) => Array.from(e.input_ids)),
    );
    expect(fromHuge.trainExamples.map((e) => e.input_ids.length)).toEqual([maxLength, maxLength]);
    expect(fromHuge.stats.truncated).toBe(2);
  }, 30_000);
});

describe('remove_duplicates', () => {
  it('removes examples whose tokens and labels equal an earlier one, across sources', async () => {
    const dir = await dataFolder({
      'a.jsonl': jsonl([{ text: 'same' }, { text: 'other' }, { text: 'same' }]),
      'b.jsonl': jsonl([{ text: 'new' }, { text: 'other' }]),
    });
    const data = await load({ train: ['a.jsonl', 'b.jsonl'] }, dir);
    expect(data.stats).toMatchObject({ examples: 3, duplicates: 2 });
    expect(data.stats.warnings).toContain('2 duplicate examples removed: a.jsonl:3, b.jsonl:2');
    const all = await load({ train: ['a.jsonl', 'b.jsonl'], remove_duplicates: false }, dir);
    expect(all.stats).toMatchObject({ examples: 5, duplicates: 0 });
  });
});

describe('batches', () => {
  const random = seededRandom(11);
  const records = Array.from({ length: 61 }, (_, i) => ({
    prompt: `Q${i} ${'q'.repeat(Math.floor(random() * 60))}`,
    completion: `A ${'a'.repeat(Math.floor(random() * 40))}`,
  }));

  it.each([false, true])('have no more shapes than buckets (packing: %s)', async (packing) => {
    const dir = await dataFolder({ 'd.jsonl': jsonl(records) });
    const buckets = [32, 64, 128];
    const data = await load(
      {
        train: 'd.jsonl',
        eval_split: 0.2,
        max_length: 128,
        bucket_lengths: buckets,
        packing,
        per_device_train_batch_size: 4,
      },
      dir,
    );
    const shapes = new Set<string>();
    let supervised = 0;
    for (const epoch of [0, 1, 2]) {
      const seen: number[] = [];
      for (const batch of data.train(epoch)) {
        shapes.add(batch.input_ids.shape.join('x'));
        expect(batch.labels.shape).toEqual(batch.input_ids.shape);
        expect(batch.position_ids.shape).toEqual(batch.input_ids.shape);
        expect(batch.segment_ids === undefined).toBe(!packing);
        seen.push(...batch.examples);
        if (epoch === 0) supervised += batch.supervisedTokens;
      }
      expect(seen.sort((a, b) => a - b)).toEqual(data.trainExamples.map((_, i) => i));
    }
    expect(shapes.size).toBeLessThanOrEqual(buckets.length);
    expect([...shapes].every((s) => /^4x(32|64|128)$/.test(s))).toBe(true);
    expect(supervised).toBe(data.stats.supervisedTokens);
    const evalShapes = new Set([...(data.eval ?? [])].map((b) => b.input_ids.shape.join('x')));
    expect([...evalShapes].every((s) => /^8x(32|64|128)$/.test(s))).toBe(true);
    if (packing) expect(data.train(0).length).toBeLessThan(Math.ceil(data.stats.examples / 4));
  });
});
