import { describe, expect, it } from 'vitest';
import { seededRandom } from '../tensor/index.js';
import { resolveGenerationConfig } from './generation-config.js';
import { logitsProcessors } from './logits-processors.js';
import { argmax, sample, TokenSelector } from './sampling.js';

const NEG = Number.NEGATIVE_INFINITY;

describe('token selection', () => {
  it('argmax takes the first of equal maxima', () => {
    expect(argmax(Float64Array.of(1, 3, 0, 3))).toBe(1);
    expect(argmax(Float64Array.of(NEG, NEG, -5))).toBe(2);
  });

  it('samples in proportion to softmax(scores), never a -inf token', () => {
    const scores = Float64Array.from([0.5, 0.2, 0.3, 0].map((p) => Math.log(p)));
    const random = seededRandom(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[sample(scores, random)]++;
    expect(counts[3]).toBe(0);
    counts.slice(0, 3).forEach((c, i) => {
      expect(Math.abs(c / 20_000 - [0.5, 0.2, 0.3][i])).toBeLessThan(0.015);
    });
  });

  it("gives each row its own seeded stream, independent of the batch's size", () => {
    const config = resolveGenerationConfig({ do_sample: true, top_k: 0 });
    const draw = (rows: number, row: number, seed: number) => {
      const selector = new TokenSelector(config, logitsProcessors(config), rows, seed);
      return Array.from({ length: 20 }, () => selector.select(row, new Float64Array(10), []));
    };
    expect(draw(2, 1, 5)).toEqual(draw(4, 1, 5));
    expect(draw(2, 1, 5)).not.toEqual(draw(2, 0, 5));
    expect(draw(2, 1, 5)).not.toEqual(draw(2, 1, 6));
    expect(new Set(draw(1, 0, 5)).size).toBeGreaterThan(4);
  });

  it('is greedy, after the penalty, without do_sample', () => {
    const config = resolveGenerationConfig({ repetition_penalty: 4, temperature: 3 });
    const selector = new TokenSelector(config, logitsProcessors(config), 1, 0);
    expect(selector.select(0, Float64Array.of(1, 3, 2), [1])).toBe(2);
  });
});
