import { TurnTooLongError } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { describeTurnTooLong, splitWindow } from './window-split.js';

describe('splitWindow', () => {
  it('keeps 256 tokens for answers, or half the positions of a small model', () => {
    expect(splitWindow(undefined, 2048)).toEqual({
      positions: 2048,
      maxNewTokens: 256,
      historyTokens: 1792,
    });
    expect(splitWindow(undefined, 64)).toMatchObject({ maxNewTokens: 32, historyTokens: 32 });
  });

  it('takes an asked-for length that leaves the conversation room', () => {
    expect(splitWindow(60, 64)).toEqual({ positions: 64, maxNewTokens: 60, historyTokens: 4 });
  });

  it('cuts a length beyond the model’s positions to half of them, saying so', () => {
    const window = splitWindow(100, 64);
    expect(window).toMatchObject({ maxNewTokens: 32, historyTokens: 32 });
    expect(window.notice).toBe(
      "note: max_new_tokens 100 leaves no room for the conversation in the model's 64 positions (max_position_embeddings); answers are cut to 32 tokens",
    );
    expect(splitWindow(64, 64)).toMatchObject({ maxNewTokens: 32, historyTokens: 32 });
  });
});

describe('describeTurnTooLong', () => {
  it('gives the tokens needed against the window', () => {
    const text = describeTurnTooLong(new TurnTooLongError(128, 56), splitWindow(8, 64));
    expect(text).toContain('it takes 128 tokens, the conversation may take 56');
    expect(text).toContain('64 positions less 8 for the answer');
  });
});
