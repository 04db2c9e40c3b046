import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedupe, lshBands, nearDuplicateOf, readDataSet } from '../src/index.js';
import { workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();

const long =
  'The committee met on Tuesday to review the budget for the coming year and agreed to fund three new projects in the library';

describe('dedupe', () => {
  it('drops exact repeats after case and whitespace normalisation, keeping the first', async () => {
    const file = await writeJsonl(join(work, 'exact.jsonl'), [
      { prompt: 'Say hi', completion: 'Hi there' },
      { prompt: 'say  HI', completion: 'hi there' },
      { prompt: 'Say bye', completion: 'Bye' },
    ]);
    const { kept, dropped } = dedupe((await readDataSet(file)).records);
    expect(kept.map((r) => r.where)).toEqual([`${file}:1`, `${file}:3`]);
    expect(dropped).toMatchObject([{ reason: 'exact', duplicateOf: `${file}:1` }]);
  });

  it('drops near-duplicates by MinHash LSH, confirmed on the shingles’ Jaccard similarity', async () => {
    const edited = long.replace('three', 'four');
    const file = await writeJsonl(join(work, 'near.jsonl'), [
      { text: long },
      {
        text: 'A completely different sentence about cooking pasta with garlic and olive oil tonight',
      },
      { text: edited },
    ]);
    const records = (await readDataSet(file)).records;
    // exact dedupe leaves the edited copy; near dedupe drops it (of the 3-word shingles, 18 of the
    // 24 distinct ones are shared: Jaccard 0.75)
    expect(dedupe(records).kept).toHaveLength(3);
    const { kept, dropped } = dedupe(records, { near: { threshold: 0.7 } });
    expect(kept.map((r) => r.where)).toEqual([`${file}:1`, `${file}:2`]);
    expect(dropped).toMatchObject([{ reason: 'near', duplicateOf: `${file}:1` }]);
    // above the pair's similarity it stays
    expect(dedupe(records, { near: { threshold: 0.9 } }).kept).toHaveLength(3);
  });

  it('groups transitively and keeps the earliest of each group', () => {
    const words = long.split(' ');
    const a = words.join(' ');
    const b = [...words.slice(0, -1), 'archive'].join(' ');
    const c = [...words.slice(0, -2), 'the', 'archive'].join(' ');
    expect(
      nearDuplicateOf([a, 'unrelated words here entirely', b, c], { threshold: 0.75 }),
    ).toEqual([-1, -1, 0, 0]);
  });

  it('applies Self-Instruct’s ROUGE-L filter to instructions (drop above 0.7)', async () => {
    const file = await writeJsonl(join(work, 'rouge.jsonl'), [
      { instruction: 'Write a poem about the sea at night', input: '', output: 'a' },
      { instruction: 'Write a short poem about the sea at night', input: '', output: 'b' },
      { instruction: 'List three prime numbers', input: '', output: 'c' },
    ]);
    const { kept, dropped } = dedupe((await readDataSet(file)).records, { rougeL: 0.7 });
    expect(kept.map((r) => r.conversation.response)).toEqual(['a', 'c']);
    expect(dropped[0]).toMatchObject({ reason: 'rouge-l', duplicateOf: `${file}:1` });
    // LCS 8 of 8 and 9 tokens: F = 2 * 1 * (8/9) / (1 + 8/9)
    expect(dropped[0]?.similarity).toBeCloseTo(16 / 17, 12);
  });
});

describe('lshBands', () => {
  it('finds pairs just above the threshold almost surely, within the permutations', () => {
    for (const threshold of [0.5, 0.7, 0.8, 0.9]) {
      const { bands, rows } = lshBands(threshold, 128);
      expect(bands * rows).toBeLessThanOrEqual(128);
      const found = (s: number) => 1 - (1 - s ** rows) ** bands;
      expect(found(threshold + 0.05)).toBeGreaterThan(0.95);
      expect(found(threshold - 0.2)).toBeLessThan(0.5);
    }
  });
});
