import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collect, integerIn, numberIn } from './option-parsers.js';

describe('option parsers', () => {
  it('accept integers in range and reject the rest with the range', () => {
    const parse = integerIn(1);
    expect(parse('64')).toBe(64);
    for (const bad of ['-3', '0', '1.5', 'ten', '', '1e400']) {
      expect(() => parse(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => parse('0')).toThrow('Expected an integer >= 1.');
    expect(() => integerIn(0, 9)('10')).toThrow('Expected an integer >= 0 and <= 9.');
  });

  it('accept numbers in range, with an exclusive lower bound when asked', () => {
    const topP = numberIn(0, 1, true);
    expect(topP('0.9')).toBe(0.9);
    expect(topP('1')).toBe(1);
    expect(() => topP('0')).toThrow('Expected a number > 0 and <= 1.');
    expect(() => topP('1.01')).toThrow(InvalidArgumentError);
    expect(numberIn(0)('0')).toBe(0);
    expect(() => numberIn(0)('NaN')).toThrow('Expected a number >= 0.');
    expect(() => numberIn(0)('Infinity')).toThrow(InvalidArgumentError);
  });

  it('collect a repeated option in order', () => {
    expect(collect('b', collect('a'))).toEqual(['a', 'b']);
  });
});
