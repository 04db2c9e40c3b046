import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REFUSAL_PATTERNS,
  filterRecords,
  mixRecords,
  readDataSet,
  splitRecords,
} from '../src/index.js';
import { workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();
const records = (
  await readDataSet(
    await writeJsonl(
      join(work, 'tasks.jsonl'),
      Array.from({ length: 40 }, (_, i) => ({
        prompt: `question ${i}`,
        completion:
          i % 10 === 0
            ? "I'm sorry, I can't help with that."
            : `answer ${i} ${'word '.repeat(i % 5)}`,
        task: i < 30 ? 'qa' : 'math',
      })),
    ),
  )
).records;

describe('splitRecords', () => {
  it('keeps each task’s share in both parts, reproducibly by seed', () => {
    const split = splitRecords(records, { evalRatio: 0.2, stratify: 'task', seed: 1 });
    expect(split.eval).toHaveLength(8);
    expect(split.train).toHaveLength(32);
    expect(split.strata).toEqual({ qa: { train: 24, eval: 6 }, math: { train: 8, eval: 2 } });
    const again = splitRecords(records, { evalRatio: 0.2, stratify: 'task', seed: 1 });
    expect(again.eval.map((r) => r.where)).toEqual(split.eval.map((r) => r.where));
    const other = splitRecords(records, { evalRatio: 0.2, stratify: 'task', seed: 2 });
    expect(other.eval.map((r) => r.where)).not.toEqual(split.eval.map((r) => r.where));
    // file order kept, nothing lost or doubled
    const all = [...split.train, ...split.eval].map((r) => r.where).sort();
    expect(all).toEqual(records.map((r) => r.where).sort());
  });

  it('names what is wrong with the sizes or the field', () => {
    expect(() => splitRecords(records, { evalSize: 40 })).toThrow(
      'the eval part would hold 40 of 40 records; ask for between 1 and 39 (--eval-ratio or --eval-size)',
    );
    expect(() => splitRecords(records, { evalSize: 4, stratify: 'label' })).toThrow(
      /tasks\.jsonl:1: no 'label' to stratify by/,
    );
  });
});

describe('mixRecords', () => {
  it('draws in proportion to the weights, repeating a source only once it is used up', () => {
    const qa = records.filter((r) => (r.raw as { task: string }).task === 'qa');
    const math = records.filter((r) => (r.raw as { task: string }).task === 'math');
    const { records: mixed, counts } = mixRecords(
      [
        { records: qa, weight: 1 },
        { records: math, weight: 3 },
      ],
      40,
    );
    expect(counts).toEqual([10, 30]);
    expect(mixed).toHaveLength(40);
    const fromMath = mixed.filter((r) => math.includes(r));
    // 30 from 10 records: each exactly three times
    expect(new Set(fromMath).size).toBe(10);
    for (const r of math) expect(fromMath.filter((x) => x === r)).toHaveLength(3);
  });
});

describe('filterRecords', () => {
  it('drops by answer length, pattern and refusal, counting the first rule each record failed', () => {
    const { kept, dropped } = filterRecords(records, {
      minWords: 3,
      drop: [/question 3\d/],
      dropRefusals: DEFAULT_REFUSAL_PATTERNS,
    });
    // answers of 2 words (i % 5 === 0, refusals aside): 5, 15, 25, 35; questions 30-39 but 35 fail
    // the pattern; the refusals 0, 10, 20 (30 failed the pattern first)
    expect(dropped).toEqual({ min_words: 4, drop_pattern: 9, refusal: 3 });
    expect(kept).toHaveLength(40 - 16);
  });
});
