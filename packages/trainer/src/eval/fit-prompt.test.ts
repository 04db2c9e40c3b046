import { describe, expect, it } from 'vitest';
import { fitPrompt } from './fit-prompt.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('fitPrompt', () => {
  it('keeps a prompt whole and max_new_tokens when both fit', () => {
    expect(fitPrompt(ids(10), 8, 64)).toEqual({ ids: ids(10), maxNewTokens: 8 });
    expect(fitPrompt(ids(56), 8, 64)).toEqual({ ids: ids(56), maxNewTokens: 8 });
  });

  it('cuts the answer to what the positions leave beside the prompt', () => {
    // the bundled model: 64 positions, and eval's default max_new_tokens 64
    expect(fitPrompt(ids(20), 64, 64)).toEqual({ ids: ids(20), maxNewTokens: 44 });
    expect(fitPrompt(ids(63), 8, 64).maxNewTokens).toBe(1);
  });

  it('keeps the last tokens of a prompt that fills the positions', () => {
    expect(fitPrompt(ids(100), 8, 64)).toEqual({ ids: ids(100).slice(44), maxNewTokens: 8 });
    expect(fitPrompt(ids(64), 64, 64)).toEqual({ ids: ids(64).slice(32), maxNewTokens: 32 });
  });
});
