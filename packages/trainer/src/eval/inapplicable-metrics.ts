import { bleuTokens, MAX_NGRAM_ORDER } from './bleu.js';
import { rougeTokenize } from './rouge.js';

interface NgramMetric {
  /** The n-gram order the metric cannot do without. */
  readonly order: number;
  /** How the metric splits a text into words. */
  readonly words: (text: string) => string[];
}

/**
 * Metrics that need n-grams of one order in the references: when no reference is that long they
 * are 0 whatever the model answers (BLEU's geometric mean over orders 1-4 is 0 without 4-grams;
 * ROUGE-2 without bigrams), so they are left out rather than reported as 0.
 */
const NGRAM_METRICS = {
  bleu: { order: MAX_NGRAM_ORDER, words: bleuTokens },
  rouge2: { order: 2, words: rougeTokenize },
} as const satisfies Record<string, NgramMetric>;

export type NgramMetricName = keyof typeof NGRAM_METRICS;

/** Whether `metric` can score answers to `references`: one of them has its order of words. */
export function ngramMetricApplies(
  metric: NgramMetricName,
  references: readonly string[],
): boolean {
  const { order, words } = NGRAM_METRICS[metric];
  return references.some((reference) => words(reference).length >= order);
}

/** The n-gram metrics left out for `references`, each with the order none of them reaches. */
export function inapplicableMetrics(
  references: readonly string[],
): { readonly metric: NgramMetricName; readonly order: number }[] {
  return (Object.keys(NGRAM_METRICS) as NgramMetricName[])
    .filter((metric) => !ngramMetricApplies(metric, references))
    .map((metric) => ({ metric, order: NGRAM_METRICS[metric].order }));
}
