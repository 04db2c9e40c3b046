import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateText } from './generate-text.js';
import { jobContainer, writeTinyModelFolder } from './test-utils.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-generate-text-'));
const model = join(work, 'model');
await writeTinyModelFolder(model);
const container = jobContainer();
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('generateText', () => {
  it('continues a prompt, streaming the text it returns', async () => {
    const pieces: string[] = [];
    const result = await generateText({
      container,
      model,
      prompt: 'Once',
      generation: { max_new_tokens: 6 },
      onText: (text) => pieces.push(text),
    });
    expect(result.promptIds).toEqual([...new TextEncoder().encode('Once')]);
    expect(result.tokens.length).toBeGreaterThan(0);
    expect(result.tokens.length).toBeLessThanOrEqual(6);
    expect(result.text).not.toBe('');
    expect(pieces.join('')).toBe(result.text);
  });
});
