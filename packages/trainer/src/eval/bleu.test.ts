import { describe, expect, it } from 'vitest';
import { computeBleu, corpusBleu } from './bleu.js';
import { tokenize13a } from './tokenize-13a.js';

// Test vectors of sacrebleu (github.com/mjpost/sacrebleu), copied with their tolerances:
// test/test_bleu.py (test_corpus_bleu_cases, test_case_statistics, test_case_scoring) and
// test/test_sentence_bleu.py (the #98 and #141 examples, whose 4-gram totals are non-zero, so
// sentence BLEU with effective_order equals corpus BLEU of the one segment).

// test_bleu.py: the README example
const refs = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

describe('corpusBleu (sacrebleu defaults: 13a, exp smoothing)', () => {
  it('scores the README example 48.530827 (test_corpus_bleu_cases, EPSILON 1e-8)', () => {
    expect(Math.abs(corpusBleu(hyps, refs).score - 48.530827)).toBeLessThan(1e-8);
  });

  it('scores empty hypotheses 0, keeping them in the corpus (test_corpus_bleu_cases)', () => {
    const score = corpusBleu(['', '', ''], refs);
    expect(score.score).toBe(0);
    expect(score.sysLen).toBe(0);
  });

  it('counts the n-gram statistics of test_case_statistics', () => {
    const score = corpusBleu(
      ['am I am a character sequence'],
      [['I am a symbol string sequence a a']],
    );
    expect(score.correct).toEqual([4, 2, 1, 0]);
    expect(score.total).toEqual([6, 5, 4, 3]);
  });

  it('scores the #98 sentence 8.493 (test_sentence_bleu.py, exp, 13a, EPSILON 1e-3)', () => {
    const ref = 'producţia de zahăr brut se exprimă în zahăr alb;';
    const sys = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
    expect(Math.abs(corpusBleu([sys], [[ref]]).score - 8.493)).toBeLessThan(1e-3);
  });

  it('scores the #141 sentence, which matches nothing, 0 (test_sentence_bleu.py)', () => {
    expect(corpusBleu(['this is a cat'], [['okay thanks']]).score).toBe(0);
  });

  it('rejects a reference stream of the wrong length', () => {
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(/reference stream 0 has 1 segments/);
  });
});

describe('computeBleu', () => {
  it('scores the statistics of test_case_scoring 0.8375922397 (EPSILON 1e-8)', () => {
    const score = computeBleu({
      correct: [9, 7, 5, 3],
      total: [10, 8, 6, 4],
      sysLen: 11,
      refLen: 11,
    });
    expect(Math.abs(score.score / 100 - 0.8375922397)).toBeLessThan(1e-8);
  });

  it('smooths an order without matches as 1 / (2^k * total) and applies the brevity penalty', () => {
    // orders 3 and 4 have no match: 100/(2*4) and 100/(4*3); bp = exp(1 - 8/6)
    const score = computeBleu({ correct: [5, 2, 0, 0], total: [6, 5, 4, 3], sysLen: 6, refLen: 8 });
    expect(score.precisions).toEqual([(100 * 5) / 6, 40, 12.5, 100 / 12]);
    expect(score.bp).toBeCloseTo(Math.exp(1 - 8 / 6), 12);
    const geometric = Math.exp(score.precisions.reduce((s, p) => s + Math.log(p), 0) / 4);
    expect(score.score).toBeCloseTo(score.bp * geometric, 10);
  });
});

describe('tokenize13a', () => {
  // expected: sacrebleu's Tokenizer13a (1.5+/2.x regexes) run in Python 3 on the same inputs
  it.each([
    ["It wasn't 3.5 or 1,000 &quot;units&quot;-ish.", 'It wasn\'t 3.5 or 1,000 " units " -ish .'],
    ['pages 10-12', 'pages 10 - 12'],
    ['line one-\nline\ttwo', 'line oneline two'],
    [
      'a.b.c, x,1 2.y {x}~[q]`r` $5 (a+b)=c/d @e?',
      'a . b . c , x , 1 2 . y { x } ~ [ q ] ` r ` $ 5 ( a + b ) = c / d @ e ?',
    ],
    ['x\u00a0y\x1cz\ufeffw 中.🙂,', 'x y z\ufeffw 中 . 🙂 ,'],
  ])('%j -> %j', (input, expected) => {
    expect(tokenize13a(input)).toBe(expected);
  });
});
