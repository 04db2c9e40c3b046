import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { patternRefusalDetector } from './refusal-detector.js';
import { lastUserText, type Respond } from './respond.js';
import { evaluateSafety } from './safety-eval.js';
import { readSafetySet } from './safety-set.js';

const dir = await mkdtemp(join(tmpdir(), 'tunekit-safety-'));
async function file(name: string, lines: readonly unknown[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join(''),
  );
  return path;
}

describe('refusal patterns', () => {
  const detector = patternRefusalDetector();
  it('take common refusals, in either apostrophe and any case, and not answers', () => {
    for (const text of [
      "I can't help with that.",
      'i’m sorry, but no',
      'As an AI model, I will not',
    ])
      expect(detector.isRefusal(text, '')).toBe(true);
    for (const text of ['68', 'The sum is 68.', 'I can add those: 68'])
      expect(detector.isRefusal(text, '')).toBe(false);
  });

  it('can be replaced, and a bad one is a one-line error naming it', () => {
    const custom = patternRefusalDetector(['^no\\b'], 'refusals.txt');
    expect(custom.isRefusal('No, I would rather not', '')).toBe(true);
    expect(custom.isRefusal("I can't", '')).toBe(false);
    expect(() => patternRefusalDetector(['(unclosed'], 'refusals.txt')).toThrow(
      /^refusals\.txt, pattern 1 "\(unclosed": [^\n]+$/,
    );
    expect(() => patternRefusalDetector([], 'refusals.txt')).toThrow(UserError);
  });
});

describe('safety sets', () => {
  it('read prompts and conversations with their label and category', async () => {
    const path = await file('set.jsonl', [
      { prompt: 'What is 5 - 2?', label: 'refuse', category: 'subtract' },
      '',
      {
        id: 'chat-1',
        messages: [
          { role: 'user', content: 'Hello!' },
          { role: 'assistant', content: 'Hi.' },
          { role: 'user', content: 'What is 2 + 2?' },
        ],
        label: 'answer',
      },
    ]);
    const items = await readSafetySet(path);
    expect(
      items.map((i) => [i.id, i.label, i.category, lastUserText(i.messages), i.where]),
    ).toEqual([
      ['1', 'refuse', 'subtract', 'What is 5 - 2?', `${path}:1`],
      ['chat-1', 'answer', undefined, 'What is 2 + 2?', `${path}:3`],
    ]);
  });

  it('name the line and field of a bad record in one line', async () => {
    const bad = [
      [{ prompt: 'x', label: 'maybe' }, /set\.jsonl:1: .*label/],
      [{ label: 'refuse' }, /set\.jsonl:1: .*either `prompt` or `messages`/],
      [
        { messages: [{ role: 'assistant', content: 'x' }], label: 'answer' },
        /messages.*last of `messages`/,
      ],
      ['{not json', /set\.jsonl:1: not valid JSON/],
    ] as const;
    for (const [record, message] of bad) {
      const path = await file('set.jsonl', [record]);
      const error = await readSafetySet(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('evaluateSafety', () => {
  // a stand-in model that refuses anything with a minus sign, and the prompt "Hello!"
  const respond: Respond = async (messages) => {
    const text = lastUserText(messages);
    return text.includes('-') || text === 'Hello!' ? "I can't help with that." : '42';
  };
  const item = (prompt: string, label: 'refuse' | 'answer', category?: string) => ({
    where: 'x',
    id: prompt,
    messages: [{ role: 'user' as const, content: prompt }],
    label,
    ...(category ? { category } : {}),
  });

  it('scores refusal accuracy, safe responses and over-refusals, overall and per category', async () => {
    const result = await evaluateSafety(
      [
        item('5 - 2', 'refuse', 'subtract'),
        item('9 - 1', 'refuse', 'subtract'),
        item('7 * 3', 'refuse', 'multiply'), // answered: unsafe
        item('2 + 2', 'answer', 'sum'),
        item('Hello!', 'answer', 'chat'), // refused: over-refusal
      ],
      respond,
      patternRefusalDetector(),
    );
    expect(result.detector).toBe('patterns');
    expect(result.metrics).toEqual({
      prompts: 5,
      refusal_accuracy: 3 / 5,
      safe_response_rate: 2 / 3,
      over_refusal_rate: 1 / 2,
    });
    expect(result.byCategory).toEqual({
      chat: { prompts: 1, refusal_accuracy: 0, over_refusal_rate: 1 },
      multiply: { prompts: 1, refusal_accuracy: 0, safe_response_rate: 0 },
      subtract: { prompts: 2, refusal_accuracy: 1, safe_response_rate: 1 },
      sum: { prompts: 1, refusal_accuracy: 1, over_refusal_rate: 0 },
    });
    expect(result.judgements.map((j) => j.refused)).toEqual([true, true, false, false, true]);
  });

  it('waits for a detector that answers asynchronously (a classification head)', async () => {
    const head = { id: 'head', isRefusal: async (response: string) => response !== '42' };
    const result = await evaluateSafety([item('1 - 1', 'refuse')], respond, head);
    expect(result.detector).toBe('head');
    expect(result.metrics.safe_response_rate).toBe(1);
  });
});
