import { describe, expect, it } from 'vitest';
import { classificationScores } from './classification-metrics.js';

describe('classificationScores', () => {
  it('gives accuracy, macro-F1 and the confusion matrix as scikit-learn does', () => {
    // sklearn: f1_score([0,0,0,1,1,2], [0,0,1,1,2,2], average='macro') = (0.8 + 0.5 + 0.6667) / 3
    const s = classificationScores([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3);
    expect(s.accuracy).toBeCloseTo(4 / 6, 12);
    expect(s.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    expect(s.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(s.per_class[2]).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
  });

  it('counts a class never predicted with F1 0 (zero_division=0)', () => {
    const s = classificationScores([0, 1, 1], [0, 0, 0], 2);
    expect(s.per_class[1].f1).toBe(0);
    expect(s.macro_f1).toBeCloseTo(((2 * 1 * (1 / 3)) / (1 + 1 / 3) + 0) / 2, 12);
  });
});
