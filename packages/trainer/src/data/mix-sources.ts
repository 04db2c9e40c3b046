import { shuffle } from './seeded-order.js';

/** The training examples of one source (ids into the training examples) and its mixing weight. */
export interface WeightedSource {
  readonly ids: readonly number[];
  readonly weight: number;
}

/**
 * One epoch's examples from weighted sources: a source of weight w gives floor(w) copies of each
 * of its examples plus round(frac(w) · n) more drawn without replacement with `random`, so a
 * weight of 2 shows each example twice and 0.5 shows a different half each epoch. The result is
 * in source order; the caller shuffles.
 */
export function mixSources(sources: readonly WeightedSource[], random: () => number): number[] {
  const out: number[] = [];
  for (const { ids, weight } of sources) {
    const copies = Math.floor(weight);
    for (let c = 0; c < copies; c++) out.push(...ids);
    const extra = Math.round((weight - copies) * ids.length);
    if (extra > 0) out.push(...shuffle([...ids], random).slice(0, extra));
  }
  return out;
}

/** Examples per epoch from these sources (the same every epoch). */
export function mixedLength(sources: readonly WeightedSource[]): number {
  return sources.reduce(
    (sum, { ids, weight }) =>
      sum +
      Math.floor(weight) * ids.length +
      Math.round((weight - Math.floor(weight)) * ids.length),
    0,
  );
}

/**
 * The per-source weights of T5's examples-proportional mixing with temperature `T` (Raffel et al.
 * 2020, 3.5.2): source i of n_i examples and configured weight w_i is drawn with probability
 * p_i = (w_i · n_i)^(1/T) / sum_j (w_j · n_j)^(1/T) in an epoch of N = sum_j n_j examples, so its
 * weight becomes p_i · N / n_i. T = 1 keeps the configured proportions; a large T tends to equal
 * shares per source. An empty source keeps its weight (it has nothing to draw).
 */
export function temperatureWeights(
  sources: readonly { readonly examples: number; readonly weight: number }[],
  temperature: number,
): number[] {
  const total = sources.reduce((sum, s) => sum + s.examples, 0);
  const rates = sources.map((s) => (s.weight * s.examples) ** (1 / temperature));
  const rateSum = rates.reduce((sum, r) => sum + r, 0);
  return sources.map((s, i) =>
    s.examples === 0 ? s.weight : ((rates[i] / rateSum) * total) / s.examples,
  );
}
