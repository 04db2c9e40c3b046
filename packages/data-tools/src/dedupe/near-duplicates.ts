import {
  candidatePairs,
  jaccard,
  lshBands,
  minhashSeeds,
  minhashSignature,
  shingles,
} from '../text/index.js';

export interface NearDuplicateOptions {
  /** Jaccard similarity of word-shingle sets at which two texts are near-duplicates; default 0.8. */
  readonly threshold?: number;
  /** Hash functions per MinHash signature; default 128. */
  readonly numPerm?: number;
  /** Words per shingle; default 3. */
  readonly shingleSize?: number;
}

/**
 * For each text, the index of the earlier text it nearly duplicates (the first of its group), or
 * -1. Candidates come from MinHash LSH; each is confirmed on the exact Jaccard similarity of the two
 * shingle sets, so LSH only decides which pairs are compared. Groups are transitive (a ~ b ~ c).
 */
export function nearDuplicateOf(
  texts: readonly string[],
  opts: NearDuplicateOptions = {},
): number[] {
  const threshold = opts.threshold ?? 0.8;
  const numPerm = opts.numPerm ?? 128;
  const sets = texts.map((text) => shingles(text, opts.shingleSize ?? 3));
  const seeds = minhashSeeds(numPerm);
  const signatures = sets.map((set) => minhashSignature(set, seeds));
  const parent = texts.map((_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    parent[i] = r;
    return r;
  };
  for (const [a, b] of candidatePairs(signatures, lshBands(threshold, numPerm))) {
    if (jaccard(sets[a] as Set<number>, sets[b] as Set<number>) < threshold) continue;
    const [ra, rb] = [root(a), root(b)];
    // the earlier record stays the group's root, so it is the one kept
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  return texts.map((_, i) => {
    const r = root(i);
    return r === i ? -1 : r;
  });
}
