import { describe, expect, it } from 'vitest';
import {
  constantOf,
  evaluateFormula,
  fitFormula,
  formatFormula,
  type Sizes,
  TRACE_SIZES,
} from './size-formula.js';

const fitted = (f: (s: Sizes) => number) => fitFormula(TRACE_SIZES.map(f));

describe('size formulas', () => {
  it('recovers integer combinations of the sizes and their products, and names them', () => {
    const cases: [(s: Sizes) => number, string][] = [
      [(s) => s.batch, 'batch_size'],
      [(s) => s.past + s.seq, 'past_sequence_length + sequence_length'],
      [(s) => s.seq - 1, 'sequence_length - 1'],
      [(s) => 4 * s.batch * s.seq, '4*batch_size*sequence_length'],
      [
        (s) => 2 * s.batch * (s.past + s.seq) + 3,
        '2*batch_size*past_sequence_length + 2*batch_size*sequence_length + 3',
      ],
      [(s) => -s.past, '-past_sequence_length'],
    ];
    for (const [f, name] of cases) {
      const formula = fitted(f);
      expect(formula && formatFormula(formula)).toBe(name);
      const elsewhere = { batch: 1, seq: 1, past: 0 };
      expect(formula && evaluateFormula(formula, elsewhere)).toBe(f(elsewhere) + 0); // + 0: -0 is 0
    }
  });

  it('tells constants apart', () => {
    expect(constantOf(fitted(() => 64) ?? [])).toBe(64);
    expect(constantOf(fitted((s) => s.seq) ?? [])).toBeUndefined();
  });

  it('finds no formula for what is no polynomial of degree <= 1 in each size', () => {
    expect(fitted((s) => s.seq * s.seq)).toBeUndefined();
    expect(fitted((s) => Math.max(s.seq, 5))).toBeUndefined();
    expect(fitted((s) => s.past / 2)).toBeUndefined();
  });
});
