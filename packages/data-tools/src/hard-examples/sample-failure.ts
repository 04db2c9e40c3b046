import {
  type EvalRunSample,
  exactMatch,
  normalizedExactMatch,
  rougeL,
  rougeTokenize,
} from '@tunekit/trainer';

/** The per-answer score that decides a failure, named as the trainer's eval metrics name it. */
export type FailureMetric = 'exact_match' | 'exact_match_normalized' | 'rougeL';

export const FAILURE_METRICS: readonly FailureMetric[] = [
  'exact_match',
  'exact_match_normalized',
  'rougeL',
];

export interface FailureCriterion {
  readonly metric: FailureMetric;
  /** For rougeL: an answer whose ROUGE-L F-measure against the reference is below this failed. */
  readonly threshold?: number;
}

/** The answer's score (1 or 0 for exact match) and whether it counts as failed. */
export function sampleScore(
  sample: EvalRunSample,
  criterion: FailureCriterion,
): { readonly score: number; readonly failed: boolean } {
  const { prediction, reference } = sample;
  if (criterion.metric === 'rougeL') {
    const score = rougeL(rougeTokenize(reference), rougeTokenize(prediction)).fmeasure;
    return { score, failed: score < (criterion.threshold ?? 0.5) };
  }
  const same =
    criterion.metric === 'exact_match'
      ? exactMatch(prediction, reference)
      : normalizedExactMatch(prediction, reference);
  return { score: Number(same), failed: !same };
}
