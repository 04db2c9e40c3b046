import { describe, expect, it } from 'vitest';
import { lrFactor, warmupStepsFor } from './lr-schedule.js';

// Expected values worked out by hand from transformers' optimization.py lambdas:
//   warmup: step / max(1, warmup)
//   linear: max(0, (total - step) / max(1, total - warmup))
//   cosine: max(0, 0.5 * (1 + cos(pi * progress))), progress = (step - warmup) / (total - warmup)
describe('lrFactor follows transformers get_scheduler', () => {
  it('linear with warmup 2 over 10 steps', () => {
    const s = { type: 'linear', warmupSteps: 2, totalSteps: 10 } as const;
    const factors = [0, 1, 2, 3, 9, 10, 11].map((step) => lrFactor(s, step));
    expect(factors).toEqual([0, 0.5, 1, 7 / 8, 1 / 8, 0, 0]);
  });

  it('cosine with warmup 2 over 10 steps', () => {
    const s = { type: 'cosine', warmupSteps: 2, totalSteps: 10 } as const;
    expect(lrFactor(s, 1)).toBe(0.5);
    expect(lrFactor(s, 2)).toBe(1);
    // progress 0.25: 0.5 * (1 + cos(pi / 4)) = 0.5 + sqrt(2) / 4
    expect(lrFactor(s, 4)).toBeCloseTo(0.5 + Math.SQRT2 / 4, 15);
    expect(lrFactor(s, 6)).toBeCloseTo(0.5, 15);
    expect(lrFactor(s, 10)).toBeCloseTo(0, 15);
  });

  it('constant_with_warmup ramps then holds; constant ignores warmup', () => {
    const warm = { type: 'constant_with_warmup', warmupSteps: 4, totalSteps: 10 } as const;
    expect([0, 1, 4, 100].map((step) => lrFactor(warm, step))).toEqual([0, 0.25, 1, 1]);
    const constant = { type: 'constant', warmupSteps: 4, totalSteps: 10 } as const;
    expect([0, 1, 100].map((step) => lrFactor(constant, step))).toEqual([1, 1, 1]);
  });

  it('linear without warmup starts at the full rate', () => {
    const s = { type: 'linear', warmupSteps: 0, totalSteps: 4 } as const;
    expect([0, 1, 2, 3].map((step) => lrFactor(s, step))).toEqual([1, 0.75, 0.5, 0.25]);
  });

  it('warmup_steps overrides warmup_ratio, which rounds up', () => {
    expect(warmupStepsFor({ warmup_steps: 0, warmup_ratio: 0.1 }, 25)).toBe(3);
    expect(warmupStepsFor({ warmup_steps: 5, warmup_ratio: 0.1 }, 25)).toBe(5);
    expect(warmupStepsFor({ warmup_steps: 0, warmup_ratio: 0 }, 25)).toBe(0);
  });
});
