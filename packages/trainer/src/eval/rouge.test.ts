import { describe, expect, it } from 'vitest';
import { rougeScores, rougeTokenize } from './rouge.js';

// Test vectors of Google's rouge-score (github.com/google-research/google-research,
// rouge/rouge_scorer_test.py), copied with their precision: the small cases, and the first two
// lines of rouge/testdata/target.txt and prediction.txt scored against ROUGE-1.5.5 (5 places).
// The scorer's argument order is score(target, prediction).

const TARGETS = [
  "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
  "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
];
const PREDICTIONS = [
  "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
  "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
];

describe('rougeScores (rouge-score defaults, no stemming)', () => {
  it('testRouge1', () => {
    const { rouge1 } = rougeScores('testing one two', 'testing');
    expect(rouge1.precision).toBeCloseTo(1, 7);
    expect(rouge1.recall).toBeCloseTo(1 / 3, 7);
    expect(rouge1.fmeasure).toBeCloseTo(1 / 2, 7);
  });

  it('testRouge2', () => {
    const { rouge2 } = rougeScores('testing one two', 'testing one');
    expect(rouge2.precision).toBeCloseTo(1, 7);
    expect(rouge2.recall).toBeCloseTo(1 / 2, 7);
    expect(rouge2.fmeasure).toBeCloseTo(2 / 3, 7);
  });

  it('testRougeLConsecutive and testRougeLNonConsecutive', () => {
    for (const prediction of ['testing one', 'testing two']) {
      const { rougeL } = rougeScores('testing one two', prediction);
      expect(rougeL.precision).toBeCloseTo(1, 7);
      expect(rougeL.recall).toBeCloseTo(2 / 3, 7);
      expect(rougeL.fmeasure).toBeCloseTo(4 / 5, 7);
    }
  });

  it('testRougeEmpty', () => {
    const scores = rougeScores('testing one two', '');
    for (const score of Object.values(scores))
      expect(score).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });

  it('testRouge1AgainstRouge155', () => {
    const expected = [
      { recall: 0.40741, precision: 0.6875, fmeasure: 0.51163 },
      { recall: 0.40476, precision: 0.65385, fmeasure: 0.5 },
    ];
    expected.forEach((want, i) => {
      const { rouge1 } = rougeScores(TARGETS[i], PREDICTIONS[i]);
      expect(rouge1.recall).toBeCloseTo(want.recall, 5);
      expect(rouge1.precision).toBeCloseTo(want.precision, 5);
      expect(rouge1.fmeasure).toBeCloseTo(want.fmeasure, 5);
    });
  });

  it('testRouge2AgainstRouge155', () => {
    const expected = [
      { recall: 0.30769, precision: 0.53333, fmeasure: 0.39024 },
      { recall: 0.29268, precision: 0.48, fmeasure: 0.36364 },
    ];
    expected.forEach((want, i) => {
      const { rouge2 } = rougeScores(TARGETS[i], PREDICTIONS[i]);
      expect(rouge2.recall).toBeCloseTo(want.recall, 5);
      expect(rouge2.precision).toBeCloseTo(want.precision, 5);
      expect(rouge2.fmeasure).toBeCloseTo(want.fmeasure, 5);
    });
  });

  it('testRougeLAgainstRouge155', () => {
    const expected = [
      { recall: 0.40741, precision: 0.6875, fmeasure: 0.51163 },
      { recall: 0.40476, precision: 0.65385, fmeasure: 0.5 },
    ];
    expected.forEach((want, i) => {
      const { rougeL } = rougeScores(TARGETS[i], PREDICTIONS[i]);
      expect(rougeL.recall).toBeCloseTo(want.recall, 5);
      expect(rougeL.precision).toBeCloseTo(want.precision, 5);
      expect(rougeL.fmeasure).toBeCloseTo(want.fmeasure, 5);
    });
  });
});

describe('rougeTokenize', () => {
  it('lowercases and splits on everything but a-z and 0-9 (accented letters included)', () => {
    expect(rougeTokenize("The café's 2nd-best\tDISH!")).toEqual([
      'the',
      'caf',
      's',
      '2nd',
      'best',
      'dish',
    ]);
  });
});
