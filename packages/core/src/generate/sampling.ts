import { seededRandom } from '../tensor/index.js';
import type { ResolvedGenerationConfig } from './generation-config.js';
import { isSampling, type LogitsProcessor, softmax } from './logits-processors.js';

/** The index of the largest score; the first one on ties (torch.argmax). */
export function argmax(scores: Float64Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** Draws an index with probability softmax(scores), by inverting the cumulative distribution. */
export function sample(scores: Float64Array, random: () => number): number {
  const probs = softmax(scores);
  const u = random();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u beyond a cumulative sum that rounding left just under 1
}

/**
 * Picks the next token of each row: the processors rewrite the scores, then greedy argmax or a
 * draw from the row's own generator. One generator per row, seeded from (seed, row), so a row's
 * draws do not depend on which other rows are in the batch or still running.
 */
export class TokenSelector {
  private readonly randoms: (() => number)[];

  constructor(
    private readonly config: ResolvedGenerationConfig,
    private readonly processors: readonly LogitsProcessor[],
    rows: number,
    seed: number,
  ) {
    this.randoms = Array.from({ length: rows }, (_, row) =>
      seededRandom((seed ^ Math.imul(row + 1, 0x9e3779b9)) >>> 0),
    );
  }

  /** `scores` (rewritten in place) are the row's last-position logits; `tokens` its sequence so far. */
  select(row: number, scores: Float64Array, tokens: readonly number[]): number {
    for (const process of this.processors) process(scores, tokens);
    return isSampling(this.config) ? sample(scores, this.randoms[row]) : argmax(scores);
  }
}
