import type { Metric, MetricValues } from '@tunekit/core';
import { corpusBleu } from './bleu.js';
import { exactMatch, normalizedExactMatch } from './exact-match.js';
import { ngramMetricApplies } from './inapplicable-metrics.js';
import { type RougeScores, rougeScores } from './rouge.js';

/**
 * `loss`: mean cross-entropy per supervised token over the whole eval set (token-weighted; HF's
 * Trainer averages batch means instead), and `perplexity` = exp(loss).
 */
export const lossMetric: Metric = {
  id: 'loss',
  compute: ({ tokens }): MetricValues => {
    if (tokens.tokens === 0) return {};
    const loss = tokens.lossSum / tokens.tokens;
    return { loss, perplexity: Math.exp(loss) };
  },
};

/** `token_accuracy`: the share of supervised tokens whose argmax prediction is the label. */
export const tokenAccuracyMetric: Metric = {
  id: 'token_accuracy',
  compute: ({ tokens }): MetricValues =>
    tokens.tokens === 0 ? {} : { token_accuracy: tokens.correct / tokens.tokens },
};

/**
 * `exact_match`: the share of predictions equal to their reference after trimming white space;
 * `exact_match_normalized`: the same after normalizeAnswer (case, inner white space, punctuation
 * at the ends).
 */
export const exactMatchMetric: Metric = {
  id: 'exact_match',
  compute: ({ samples }): MetricValues =>
    samples.length === 0
      ? {}
      : {
          exact_match: mean(samples.map((s) => Number(exactMatch(s.prediction, s.reference)))),
          exact_match_normalized: mean(
            samples.map((s) => Number(normalizedExactMatch(s.prediction, s.reference))),
          ),
        },
};

/**
 * `bleu`: sacrebleu's corpus BLEU (0-100) of the predictions against their references; left out
 * when no reference has 4 words (see inapplicableMetrics).
 */
export const bleuMetric: Metric = {
  id: 'bleu',
  compute: ({ samples }): MetricValues =>
    samples.length === 0 ||
    !ngramMetricApplies(
      'bleu',
      samples.map((s) => s.reference),
    )
      ? {}
      : {
          bleu: corpusBleu(
            samples.map((s) => s.prediction),
            [samples.map((s) => s.reference)],
          ).score,
        },
};

/**
 * `rouge1`, `rouge2`, `rougeL`: rouge-score's F-measures (0-1), averaged over the samples; rouge2
 * left out when no reference has 2 words (see inapplicableMetrics).
 */
export const rougeMetric: Metric = {
  id: 'rouge',
  compute: ({ samples }): MetricValues => {
    if (samples.length === 0) return {};
    const scores = samples.map((s) => rougeScores(s.reference, s.prediction));
    const f = (key: keyof RougeScores) => mean(scores.map((score) => score[key].fmeasure));
    const references = samples.map((s) => s.reference);
    const rouge2: MetricValues = ngramMetricApplies('rouge2', references)
      ? { rouge2: f('rouge2') }
      : {};
    return { rouge1: f('rouge1'), ...rouge2, rougeL: f('rougeL') };
  },
};

/** The metrics every evaluation computes, in the order their values are reported. */
export const BUILTIN_METRICS: readonly Metric[] = Object.freeze([
  lossMetric,
  tokenAccuracyMetric,
  exactMatchMetric,
  bleuMetric,
  rougeMetric,
]);

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
