import { describe, expect, it } from 'vitest';
import { memorise } from './memorise.js';

describe('memorising a line with a tiny transformer on the reference backend', () => {
  it('drives the loss below 0.05 with AdamW and active gradient clipping, and recites the line', async () => {
    const text = 'tunekit fine-tunes in TypeScript.';
    const result = await memorise(text, { steps: 120, maxGradNorm: 1 });
    expect(result.losses[0]).toBeGreaterThan(2); // starts near log(vocab)
    expect(result.losses.at(-1)).toBeLessThan(0.05);
    expect(result.clippedSteps).toBeGreaterThan(0); // clipping really engaged
    expect(result.generated).toBe(text);
  });
});
