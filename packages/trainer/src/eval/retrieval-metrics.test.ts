import { describe, expect, it } from 'vitest';
import { retrievalScores } from './retrieval-metrics.js';

describe('retrievalScores', () => {
  it('gives recall@k and MRR from the rank of each query’s document', () => {
    const scores = [
      [0.9, 0.1, 0.2], // gold 0: rank 1
      [0.8, 0.5, 0.1], // gold 1: rank 2
      [0.7, 0.6, 0.1], // gold 2: rank 3
    ];
    const s = retrievalScores(scores, [0, 1, 2], { ks: [1, 2], temperature: 1 });
    expect(s.recall).toEqual({ 1: 1 / 3, 2: 2 / 3 });
    expect(s.mrr).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3, 12);
    const ce = (row: number[], g: number) =>
      Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[g];
    expect(s.loss).toBeCloseTo((ce(scores[0], 0) + ce(scores[1], 1) + ce(scores[2], 2)) / 3, 12);
  });

  it('ranks ties pessimistically, so identical embeddings find nothing', () => {
    const s = retrievalScores(
      [
        [1, 1],
        [1, 1],
      ],
      [0, 1],
      { ks: [1], temperature: 0.05 },
    );
    expect(s.recall[1]).toBe(0);
    expect(s.mrr).toBe(0.5);
  });
});
