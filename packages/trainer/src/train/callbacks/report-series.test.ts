import { describe, expect, it } from 'vitest';
import { emaSmooth } from './report-page.js';
import { groupEvalSeries, logScaleAllowed, prefersLogScale } from './report-series.js';

describe('report series', () => {
  it('tables evaluations taken before and after training instead of drawing a line between them', () => {
    const groups = groupEvalSeries([
      { step: 0, metrics: { eval_loss: 3, eval_exact_match: 0.1, epoch: 0 } },
      { step: 20, metrics: { eval_loss: 2 } },
      { step: 40, metrics: { eval_loss: 1, eval_exact_match: 0.6, epoch: 1 } },
    ]);
    expect(groups.curves).toEqual([{ name: 'eval_loss', steps: [0, 20, 40], values: [3, 2, 1] }]);
    expect(groups.sparse).toEqual([
      { name: 'eval_exact_match', steps: [0, 40], values: [0.1, 0.6] },
    ]);
    expect(groups.zero).toEqual([]);
  });

  it('names metrics that are 0 at every evaluation instead of charting them', () => {
    const groups = groupEvalSeries(
      [0, 10, 20, 30].map((step) => ({
        step,
        metrics: { eval_bleu: 0, eval_loss: 1 / (step + 1) },
      })),
    );
    expect(groups.zero).toEqual(['eval_bleu']);
    expect(groups.curves.map((s) => s.name)).toEqual(['eval_loss']);
    expect(groups.sparse).toEqual([]);
  });

  it('leaves out non-finite values, and a metric that has no finite one', () => {
    const groups = groupEvalSeries([
      { step: 0, metrics: { eval_loss: Number.NaN, eval_ppl: Number.POSITIVE_INFINITY } },
      { step: 5, metrics: { eval_loss: 2, eval_ppl: Number.NaN } },
    ]);
    expect(groups.sparse).toEqual([{ name: 'eval_loss', steps: [5], values: [2] }]);
    expect(groups.curves).toEqual([]);
    expect(groups.zero).toEqual([]);
  });

  it('opens the loss on a log axis when it spans more than a factor 5, and only when positive', () => {
    expect(prefersLogScale([10, 1, 0.9, 0.8])).toBe(true);
    expect(prefersLogScale([2, 1.8, 1.5])).toBe(false);
    expect(prefersLogScale([10, 0, 0.5])).toBe(false);
    expect(logScaleAllowed([10, 0, 0.5])).toBe(false);
    expect(logScaleAllowed([])).toBe(false);
  });
});

describe('emaSmooth (TensorBoard smoothing)', () => {
  it('is a debiased exponential moving average', () => {
    // weight 0.5: ema 0.5, 0.25, 0.125 divided by 1 - 0.5^n = 0.5, 0.75, 0.875
    const smoothed = emaSmooth([1, 0, 0], 0.5);
    expect(smoothed[0]).toBeCloseTo(1, 12);
    expect(smoothed[1]).toBeCloseTo(1 / 3, 12);
    expect(smoothed[2]).toBeCloseTo(1 / 7, 12);
  });

  it('leaves values as they are at weight 0, and a constant series at any weight', () => {
    expect(emaSmooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
    expect(emaSmooth([2, 2, 2], 0.9)).toEqual([2, 2, 2]);
  });

  it('passes gaps through without counting them', () => {
    const smoothed = emaSmooth([1, null, 0], 0.5);
    expect(smoothed[1]).toBeNull();
    expect(smoothed[2]).toBeCloseTo(1 / 3, 12);
  });
});
