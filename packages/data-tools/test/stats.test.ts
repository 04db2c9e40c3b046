import { join } from 'node:path';
import { Tokenizer } from '@tunekit/core';
import { chatml, contextFromTokenizer } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { dataStats, readDataSet, statsHtml, statsText, summariseLengths } from '../src/index.js';
import { bundledModel, workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();
const file = await writeJsonl(join(work, 'chat.jsonl'), [
  {
    messages: [
      { role: 'system', content: 'You are Tiny.' },
      { role: 'user', content: 'Where is Paris?' },
      { role: 'assistant', content: 'In France, see https://en.wikipedia.org/wiki/Paris' },
    ],
    task: 'geo',
  },
  {
    messages: [
      { role: 'user', content: 'How do I pick a lock?' },
      { role: 'assistant', content: "I'm sorry, but I can't help with that." },
    ],
    task: 'safety',
  },
  {
    messages: [
      { role: 'user', content: 'Where is Paris?' },
      { role: 'assistant', content: 'In France, see https://en.wikipedia.org/wiki/Paris' },
    ],
    task: 'geo',
  },
  {
    messages: [
      { role: 'user', content: 'where is paris?' },
      { role: 'assistant', content: 'in france, see https://en.wikipedia.org/wiki/paris' },
    ],
    task: 'geo',
  },
  {
    messages: [
      { role: 'user', content: 'bad' },
      { role: 'robot', content: 'x' },
    ],
  },
]);

describe('dataStats', () => {
  it('counts roles, tasks, personas, turns, citations, refusals and duplicates', async () => {
    const stats = dataStats(await readDataSet(file), { near: { threshold: 0.7 } });
    expect(stats).toMatchObject({
      format: 'messages',
      records: 4,
      invalid: 1,
      roles: { system: 1, user: 4, assistant: 4 },
      tasks: { geo: 3, safety: 1 },
      personas: { 'You are Tiny.': 1, '(none)': 3 },
      mean_turns: 2,
      citation_ratio: 0.75,
      refusal_ratio: 0.25,
      // record 4 repeats record 3 after normalisation; 3 is record 1 without its system message:
      // 12 of record 1's 16 shingles, Jaccard 0.75
      exact_duplicate_rate: 0.25,
      near_duplicate_rate: 0.25,
    });
    expect(dataStats(await readDataSet(file)).near_duplicate_rate).toBe(0);
    expect(stats.invalid_examples[0]).toMatch(new RegExp(`^${file}:5: `));
    expect(stats.response_words).toMatchObject({ max: 10, median: 9 }); // i m sorry but i can t help with that
    expect(stats.record_tokens).toBeUndefined();
  });

  it('counts tokens as training renders the records, and those over max_length', async () => {
    const tokenizer = await Tokenizer.fromFolder(bundledModel);
    const context = contextFromTokenizer(tokenizer);
    const data = await readDataSet(file);
    const expected = data.records.map(
      (r) => tokenizer.encode(chatml.render(r.conversation.messages, { context }).text).length,
    );
    const maxLength = [...expected].sort((a, b) => a - b)[1] ?? 0;
    const stats = dataStats(data, { tokens: { tokenizer, template: chatml, context }, maxLength });
    expect(stats.record_tokens).toMatchObject({ max: Math.max(...expected) });
    expect(stats.record_tokens?.histogram.reduce((n, bin) => n + bin.count, 0)).toBe(4);
    expect(stats.over_max_length).toBe(expected.filter((n) => n > maxLength).length);
    expect(stats.over_max_length).toBeGreaterThan(0);
    expect(stats.response_tokens?.max).toBe(
      Math.max(...data.records.map((r) => tokenizer.encode(r.conversation.response).length)),
    );
  });

  it('prints a table and draws a page', async () => {
    const stats = dataStats(await readDataSet(file));
    const text = statsText(stats).join('\n');
    expect(text).toContain(`${file}: 4 records (messages), 1 invalid`);
    expect(text).toContain('tasks:      geo 3, safety 1');
    expect(text).toContain('refusals:   25.0% of answers refuse');
    const html = statsHtml(stats);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<th>citation ratio</th><td>75.0%</td>');
    expect(html).toContain('<svg');
  });
});

describe('summariseLengths', () => {
  it('gives mean, median, p95 and equal-width bins covering the longest', () => {
    const summary = summariseLengths([1, 2, 3, 4, 100], 4);
    expect(summary).toMatchObject({ mean: 22, median: 3, p95: 100, max: 100 });
    expect(summary.histogram.map((b) => [b.from, b.to, b.count])).toEqual([
      [0, 26, 4],
      [26, 52, 0],
      [52, 78, 0],
      [78, 104, 1],
    ]);
  });
});
