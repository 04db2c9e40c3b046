import { describe, expect, it } from 'vitest';
import { trainableParametersLine } from './trainable-report.js';

describe('trainableParametersLine', () => {
  it("prints PEFT's print_trainable_parameters line", () => {
    // Python: f"trainable params: {1234:,d} || all params: {5678:,d} || trainable%: {100 * 1234 / 5678:.4f}"
    expect(trainableParametersLine(1234, 5678)).toBe(
      'trainable params: 1,234 || all params: 5,678 || trainable%: 21.7330',
    );
    expect(trainableParametersLine(4_194_304, 1_239_007_232)).toBe(
      'trainable params: 4,194,304 || all params: 1,239,007,232 || trainable%: 0.3385',
    );
  });

  it("rounds an exact tie to even, as Python's format does", () => {
    // 100 / 3200 = 0.03125 exactly: Python prints 0.0312, Number.toFixed would print 0.0313
    expect(trainableParametersLine(1, 3200)).toMatch(/trainable%: 0\.0312$/);
    expect(trainableParametersLine(3, 3200)).toMatch(/trainable%: 0\.0938$/);
  });
});
