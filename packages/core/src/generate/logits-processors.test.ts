import { describe, expect, it } from 'vitest';
import { resolveGenerationConfig } from './generation-config.js';
import {
  logitsProcessors,
  repetitionPenalty,
  temperatureWarper,
  topKWarper,
  topPWarper,
} from './logits-processors.js';

const NEG = Number.NEGATIVE_INFINITY;
const run = (
  process: (s: Float64Array, t: number[]) => void,
  scores: number[],
  tokens: number[] = [],
) => {
  const s = Float64Array.from(scores);
  process(s, tokens);
  return Array.from(s);
};
const logProbs = (probs: number[]) => probs.map(Math.log);

describe('logits processors (transformers semantics)', () => {
  it('repetition penalty divides positive and multiplies negative scores of seen tokens, once each', () => {
    // HF: score = where(score < 0, score * penalty, score / penalty) on gathered input_ids
    expect(run(repetitionPenalty(2), [2, -1, 0.5, -3, 1], [0, 1, 1, 3, 1])).toEqual([
      1, -2, 0.5, -6, 1,
    ]);
    expect(run(repetitionPenalty(0.5), [2, -1, 0], [0, 1, 2])).toEqual([4, -0.5, 0]);
  });

  it('temperature divides every score', () => {
    expect(run(temperatureWarper(2), [2, -4, 1])).toEqual([1, -2, 0.5]);
  });

  it('top-k keeps the k largest scores and every score tied with the k-th', () => {
    expect(run(topKWarper(2), [1, 3, 3, 2, 0])).toEqual([NEG, 3, 3, NEG, NEG]);
    expect(run(topKWarper(3), [1, 2, 2, 0])).toEqual([1, 2, 2, NEG]);
    expect(run(topKWarper(2), [1, 2, 2, 0])).toEqual([NEG, 2, 2, NEG]);
    expect(run(topKWarper(10), [1, 2])).toEqual([1, 2]);
  });

  it('top-p keeps the most likely tokens until their mass exceeds top_p, at least one', () => {
    const scores = logProbs([0.1, 0.4, 0.3, 0.2]);
    const kept = (topP: number) => run(topPWarper(topP), scores).map((s) => s > NEG);
    expect(kept(0.5)).toEqual([false, true, true, false]); // ascending cumsum 0.1 0.3 | 0.6 1.0
    expect(kept(0.75)).toEqual([false, true, true, true]);
    expect(kept(0.3)).toEqual([false, true, false, false]);
    expect(kept(1e-9)).toEqual([false, true, false, false]);
    // equal scores: the lower id counts as more likely, as greedy argmax picks it
    expect(run(topPWarper(0.1), [1, 1, 0])).toEqual([1, NEG, NEG]);
  });

  it('greedy decoding applies only the repetition penalty', () => {
    const config = resolveGenerationConfig({ repetition_penalty: 2, temperature: 0.5, top_k: 1 });
    const process = (s: Float64Array, t: number[]) => {
      for (const p of logitsProcessors(config)) p(s, t);
    };
    expect(run(process, [4, 2, -2], [1])).toEqual([4, 1, -2]);
  });

  it('sampling warps in order: temperature before top-p, top-k before top-p', () => {
    const process = (config: object) => (s: Float64Array, t: number[]) => {
      for (const p of logitsProcessors(resolveGenerationConfig({ do_sample: true, ...config })))
        p(s, t);
    };
    const scores = logProbs([0.1, 0.4, 0.3, 0.2]);
    const kept = (config: object) => run(process(config), scores).map((s) => s > NEG);
    // top-p 0.5 alone keeps ids 1 and 2 (0.4 + 0.3)
    expect(kept({ top_k: 0, top_p: 0.5 })).toEqual([false, true, true, false]);
    // temperature 0.5 first sharpens to [.03, .53, .30, .13]: top-p then keeps id 1 only
    expect(kept({ top_k: 0, top_p: 0.5, temperature: 0.5 })).toEqual([false, true, false, false]);
    // top-k 2 first renormalises to [.57, .43] over ids 1 and 2: top-p then keeps id 1 only
    expect(kept({ top_k: 2, top_p: 0.5 })).toEqual([false, true, false, false]);
    expect(run(process({ temperature: 0.5, top_k: 1 }), scores)).toEqual([
      NEG,
      Math.log(0.4) / 0.5,
      NEG,
      NEG,
    ]);
  });
});
