import { describe, expect, it } from 'vitest';
import { annotatorAgreement } from './annotator-agreement.js';
import { cohenKappa } from './cohen-kappa.js';
import { krippendorffAlpha } from './krippendorff-alpha.js';

const repeat = (label: string, times: number) => new Array<string>(times).fill(label);

describe('cohenKappa', () => {
  // Wikipedia's worked example (Cohen's kappa, "Simple example"): 50 proposals, A and B say yes
  // to 20 together, A yes / B no 5, A no / B yes 10, both no 15: p_o 0.7, p_e 0.5, kappa 0.4
  it('gives 0.4 on the worked example', () => {
    const a = [...repeat('yes', 25), ...repeat('no', 25)];
    const b = [...repeat('yes', 20), ...repeat('no', 5), ...repeat('yes', 10), ...repeat('no', 15)];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
  });

  it('is 1 for full agreement, leaves unlabelled items out, and refuses unequal lists', () => {
    expect(cohenKappa(['a', 'b', 'a'], ['a', 'b', 'a'])).toBe(1);
    expect(cohenKappa(['a', 'b', undefined], ['a', 'b', 'a'])).toBe(1);
    expect(() => cohenKappa(['a'], ['a', 'b'])).toThrow(/rate the same items/);
  });
});

describe('krippendorffAlpha', () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
  // 12 units, missing values; nominal alpha = 0.743
  it('gives 0.743 on the reliability data with missing values', () => {
    const _ = undefined;
    const data = [
      ['1', '2', '3', '3', '2', '1', '4', '1', '2', _, _, _],
      ['1', '2', '3', '3', '2', '2', '4', '1', '2', '5', _, '3'],
      [_, '3', '3', '3', '2', '3', '4', '2', '2', '5', '1', _],
      ['1', '2', '3', '3', '2', '4', '4', '1', '2', '5', '1', _],
    ];
    expect(krippendorffAlpha(data)).toBeCloseTo(0.743, 3);
  });

  // with two raters, no missing values and many units, alpha approaches Scott's pi; on the kappa
  // example above both marginals are 25/25 and 30/20, so pi = (0.7 - 0.505) / 0.495
  it('is close to Scott’s pi for two raters', () => {
    const a = [...repeat('yes', 25), ...repeat('no', 25)];
    const b = [...repeat('yes', 20), ...repeat('no', 5), ...repeat('yes', 10), ...repeat('no', 15)];
    const pi = (0.7 - 0.505) / 0.495;
    // alpha = pi corrected for the sample size: 1 - (2N - 1)/(2N) (1 - pi)
    expect(krippendorffAlpha([a, b])).toBeCloseTo(1 - (99 / 100) * (1 - pi), 12);
  });
});

describe('annotatorAgreement', () => {
  const annotations = (labels: Record<string, string | undefined>) =>
    new Map(Object.entries(labels).map(([id, label]) => [id, { id, label }]));

  it('lists the items whose labels differ, leaving out ones a single annotator gave', () => {
    const [result] = annotatorAgreement(
      [
        annotations({ a: 'x', b: 'x', c: 'y', d: 'x' }),
        annotations({ a: 'x', b: 'y', c: 'y', d: undefined }),
      ],
      ['label'],
    );
    expect(result?.items).toBe(4);
    expect(result?.disagreements).toEqual(['b']);
    // over a, b, c: p_o 2/3, p_e (2/3)(1/3) + (1/3)(2/3) = 4/9: kappa (2/3 - 4/9) / (5/9) = 0.4
    expect(result?.cohen_kappa).toBeCloseTo(0.4, 12);
  });

  it("gives Krippendorff's alpha only for three or more, and needs two", () => {
    const three = annotatorAgreement(
      [annotations({ a: 'x' }), annotations({ a: 'x' }), annotations({ a: 'x' })],
      ['label'],
    );
    expect(three[0]?.cohen_kappa).toBeUndefined();
    expect(three[0]?.krippendorff_alpha).toBe(1);
    expect(() => annotatorAgreement([annotations({})], ['label'])).toThrow(/two or more/);
  });
});
