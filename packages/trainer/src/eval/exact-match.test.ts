import { describe, expect, it } from 'vitest';
import { exactMatch, normalizeAnswer, normalizedExactMatch } from './exact-match.js';

describe('exactMatch', () => {
  it('ignores only the white space around the answers', () => {
    expect(exactMatch('  Paris\n', 'Paris')).toBe(true);
    expect(exactMatch('paris', 'Paris')).toBe(false);
    expect(exactMatch('Paris.', 'Paris')).toBe(false);
    expect(exactMatch('New  York', 'New York')).toBe(false);
  });
});

describe('normalizedExactMatch', () => {
  it('ignores case, runs of white space and punctuation at the ends', () => {
    expect(normalizedExactMatch('"Paris."', 'paris')).toBe(true);
    expect(normalizedExactMatch('New \n York!', 'new york')).toBe(true);
    expect(normalizedExactMatch('¿Qué?', 'qué')).toBe(true);
    expect(normalizeAnswer('  (The answer: 42!) ')).toBe('the answer: 42');
  });

  it('keeps punctuation inside the answer and symbols at its ends', () => {
    expect(normalizedExactMatch('4.5', '4,5')).toBe(false);
    expect(normalizedExactMatch('$5', '5')).toBe(false);
  });
});
