import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@tunekit/core';
import { chatml, IGNORE_INDEX } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { type PairFitOptions, tokenizePair } from './tokenize-pair.js';

const bundled = fileURLToPath(new URL('../../../../models/tunekit-tiny-chat', import.meta.url));
const tokenizer = await Tokenizer.fromFolder(bundled);
const options: PairFitOptions = {
  template: chatml,
  tokenizer,
  maxLength: 64,
  max_prompt_length: null,
  max_completion_length: null,
};
const pair = {
  prompt: [{ role: 'user' as const, content: 'What is 23 + 45?' }],
  chosen: [{ role: 'assistant' as const, content: '68' }],
  rejected: [{ role: 'assistant' as const, content: '71' }],
};
const text = (ids: readonly number[]) => tokenizer.decode([...ids], { skipSpecialTokens: false });

describe('tokenizePair', () => {
  it('renders the prompt once and each answer after it, the loss on the answer and its end of turn', () => {
    const p = tokenizePair(pair, 'pairs.jsonl:1', options);
    expect(text(p.prompt)).toBe(
      '<|im_start|>user\nWhat is 23 + 45?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(text(p.chosen.input_ids)).toMatch(/^68<\|im_end\|>/);
    expect(text(p.rejected.input_ids)).toMatch(/^71<\|im_end\|>/);
    const supervised = p.chosen.labels.filter((l) => l !== IGNORE_INDEX);
    expect(text(supervised)).toMatch(/^68<\|im_end\|>/);
    expect(p.truncated).toBe(false);
  });

  it('cuts as TRL does: the prompt keeps its end, an answer its start, max_length the prompt’s start', () => {
    const full = tokenizePair(pair, 'pairs.jsonl:1', options);
    const cut = tokenizePair(pair, 'pairs.jsonl:1', {
      ...options,
      max_prompt_length: 5,
      max_completion_length: 1,
    });
    expect(cut.prompt).toEqual(full.prompt.slice(-5));
    expect(cut.chosen.input_ids).toEqual(full.chosen.input_ids.slice(0, 1));
    expect(cut.truncated).toBe(true);
    const longest = Math.max(full.chosen.input_ids.length, full.rejected.input_ids.length);
    const short = tokenizePair(pair, 'pairs.jsonl:1', { ...options, maxLength: longest + 3 });
    expect(short.prompt).toEqual(full.prompt.slice(-3));
    expect(short.chosen).toEqual(full.chosen);
  });

  it('takes prompt/completion strings through the template as a prompt/completion record', () => {
    const p = tokenizePair(
      { prompt: 'What is 1 + 1?', chosen: '2', rejected: '3' },
      'pairs.jsonl:2',
      options,
    );
    expect(text(p.prompt)).toContain('What is 1 + 1?');
    expect(text(p.chosen.input_ids)).toMatch(/^2/);
  });
});
