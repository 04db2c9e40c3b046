import { describe, expect, it } from 'vitest';
import { f32 } from '../quant/f32.js';
import { fmaF32 } from './bnb-adam-update.js';

describe('fmaF32', () => {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: exactly between two f32 values; c decides, rounding once
  const a = 1 + 2 ** -12;
  const below = 1 + 2 ** -11;
  const above = below + 2 ** -23;

  it('rounds a sum that f64 puts on an f32 midpoint by the part f64 dropped', () => {
    expect(f32(a * a + 2 ** -60)).toBe(below); // two roundings: ties to even, down
    expect(fmaF32(a, a, 2 ** -60)).toBe(above);
    expect(fmaF32(a, a, -(2 ** -60))).toBe(below);
  });

  it('equals f32(a * b + c) when the sum is exact, and keeps infinities', () => {
    expect(fmaF32(a, a, 0)).toBe(f32(a * a));
    expect(fmaF32(f32(0.1), f32(3), f32(-0.3))).toBe(f32(f32(0.1) * f32(3) - f32(0.3)));
    expect(fmaF32(3e38, 10, 1)).toBe(Infinity);
  });
});
