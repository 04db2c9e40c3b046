import { describe, expect, it } from 'vitest';
import { planBuffers } from './buffer-plan.js';

describe('planBuffers', () => {
  it('reuses a buffer once its value is dead, never for a value read by the step defining the new one', () => {
    // a(0) -> b(1) reads a -> c(2) reads b -> d(3) reads c
    const plan = planBuffers([
      { bytes: 64, def: 0, lastUse: 1 },
      { bytes: 64, def: 1, lastUse: 2 },
      { bytes: 64, def: 2, lastUse: 3 },
      { bytes: 64, def: 3, lastUse: Infinity },
    ]);
    expect(plan.buffers).toEqual([64, 64]);
    expect(plan.assignment).toEqual([0, 1, 0, 1]);
  });

  it('takes the smallest free buffer that fits, and not one over twice the size', () => {
    const plan = planBuffers([
      { bytes: 400, def: 0, lastUse: 1 },
      { bytes: 100, def: 1, lastUse: 2 },
      { bytes: 150, def: 2, lastUse: 4 }, // 400 is free but too large; 100 too small
      { bytes: 90, def: 3, lastUse: 4 }, // 100 is free again
    ]);
    expect(plan.assignment).toEqual([0, 1, 2, 1]);
    expect(plan.buffers).toEqual([400, 100, 150]);
  });
});
