import { seededRandom, UserError } from '@tunekit/core';
import { shuffle } from '@tunekit/trainer';
import type { DataRecord } from '../records/index.js';

export interface MixSource {
  readonly records: readonly DataRecord[];
  /** Its share of the mix, relative to the others' weights. */
  readonly weight: number;
}

/**
 * Draws `size` records from the sources in proportion to their weights (largest remainder), each
 * source shuffled (seeded) and taken whole before any record repeats, then shuffles the mix.
 * Returns the records and how many came from each source.
 */
export function mixRecords(
  sources: readonly MixSource[],
  size: number,
  seed = 42,
): { records: DataRecord[]; counts: number[] } {
  const total = sources.reduce((sum, s) => sum + s.weight, 0);
  if (!(total > 0))
    throw new UserError('mix: the weights add up to 0; give a source a positive weight');
  const exact = sources.map((s) => (size * s.weight) / total);
  const counts = exact.map(Math.floor);
  let left = size - counts.reduce((a, b) => a + b, 0);
  for (const i of exact
    .map((_, i) => i)
    .sort((a, b) => ((exact[b] as number) % 1) - ((exact[a] as number) % 1))) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] as number) + 1;
  }
  const random = seededRandom(seed);
  const mixed: DataRecord[] = [];
  sources.forEach((source, i) => {
    const count = counts[i] as number;
    if (count > 0 && source.records.length === 0)
      throw new UserError(`mix: source ${i + 1} has no records to draw ${count} from`);
    for (let taken = 0; taken < count; ) {
      const round = shuffle([...source.records], random).slice(0, count - taken);
      mixed.push(...round);
      taken += round.length;
    }
  });
  return { records: shuffle(mixed, random), counts };
}
