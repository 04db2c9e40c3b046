import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataSet } from '../src/index.js';
import { workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();

describe('readDataSet', () => {
  it('reads any trainer format as conversations, counting invalid records instead of failing', async () => {
    const file = await writeJsonl(join(work, 'alpaca.jsonl'), [
      { instruction: 'Add 2 and 3.', input: '', output: '5', task: 'math' },
      { instruction: 'Translate', input: 'chat', output: 'cat', system: 'Be brief.' },
      '{"instruction": broken',
      { instruction: 'no output' },
    ]);
    const data = await readDataSet(file);
    expect(data.format.id).toBe('alpaca');
    expect(data.sha256[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(data.records.map((r) => r.where)).toEqual([`${file}:1`, `${file}:2`]);
    expect(data.records[0]?.raw).toEqual({
      instruction: 'Add 2 and 3.',
      input: '',
      output: '5',
      task: 'math',
    });
    expect(data.records[1]?.conversation).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Translate\n\nchat' },
        { role: 'assistant', content: 'cat' },
      ],
      instruction: 'Translate\n\nchat',
      response: 'cat',
    });
    expect(data.invalid).toHaveLength(2);
    expect(data.invalid[0]).toMatch(new RegExp(`^${file}:3: `));
    expect(data.invalid[1]).toMatch(new RegExp(`^${file}:4: .*output`));
  });

  it('reads preference pairs with the rejected answer beside the chosen conversation', async () => {
    const file = await writeJsonl(join(work, 'pairs.jsonl'), [
      { prompt: 'What is 2+2?', chosen: '4', rejected: '5' },
    ]);
    const [record] = (await readDataSet(file)).records;
    expect(record?.conversation).toMatchObject({
      instruction: 'What is 2+2?',
      response: '4',
      rejected: '5',
    });
  });

  it('names an unknown --format with the known ones', async () => {
    const file = await writeJsonl(join(work, 'x.jsonl'), [{ text: 'a' }]);
    await expect(readDataSet(file, { format: 'nope' })).rejects.toThrow(
      /--format nope: unknown dataset format; known: text, prompt_completion, alpaca/,
    );
  });
});
