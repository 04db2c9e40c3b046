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
