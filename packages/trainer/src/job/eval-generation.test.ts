import { describe, expect, it } from 'vitest';
import type { GeneratedSample } from '../eval/index.js';
import { describeCutAnswers, noteCutAnswersOnce } from './eval-generation.js';

/** A generated answer that could take `maxNewTokens` tokens. */
function sample(maxNewTokens: number): GeneratedSample {
  return {
    where: 'eval.jsonl:1',
    prompt: 'Q',
    reference: 'A',
    prediction: 'A',
    finishReason: 'length',
    maxNewTokens,
  };
}

describe('noteCutAnswersOnce', () => {
  it("writes eval's note after the first evaluation that cut answers, and never again", async () => {
    const rounds = [[sample(64), sample(64)], [sample(64), sample(40)], [sample(30)]];
    const written: string[] = [];
    let round = 0;
    const evaluate = noteCutAnswersOnce(
      async () => ({ samples: rounds[round++] }),
      { maxNewTokens: 64, positions: 128 },
      (line) => written.push(line),
    );
    expect((await evaluate()).samples).toBe(rounds[0]);
    expect(written).toEqual([]); // nothing cut yet
    await evaluate();
    await evaluate();
    expect(written).toEqual([describeCutAnswers(rounds[1], 64, 128)]);
    expect(written[0]).toBe(
      "note: max_new_tokens 64 does not fit beside 1 of 2 prompts in the model's 128 positions; their answers were cut to 40 tokens",
    );
  });
});
