/**
 * Locality-sensitive hashing over MinHash signatures (Leskovec, Rajaraman & Ullman, Mining of
 * Massive Datasets, 3.4): the signature is cut into `bands` bands of `rows` rows; records that agree
 * on a whole band are candidates. A pair of Jaccard similarity s becomes a candidate with
 * probability 1 - (1 - s^rows)^bands, an S-curve whose steepest point is near (1/bands)^(1/rows).
 */
export interface LshBands {
  readonly bands: number;
  readonly rows: number;
}

/**
 * The bands and rows (bands * rows <= numPerm) that minimise the weighted false-positive and
 * false-negative areas under the S-curve around `threshold`, as datasketch's MinHashLSH picks them,
 * but weighted 0.1 / 0.9 rather than its 0.5 / 0.5: every candidate is confirmed on its exact
 * Jaccard similarity, so a false positive costs one comparison while a false negative keeps a
 * duplicate (at threshold 0.7, a pair of similarity 0.75 is found with probability 0.98, not 0.67).
 */
export function lshBands(threshold: number, numPerm: number): LshBands {
  let best: LshBands = { bands: 1, rows: numPerm };
  let bestError = Number.POSITIVE_INFINITY;
  for (let bands = 1; bands <= numPerm; bands++) {
    for (let rows = 1; bands * rows <= numPerm; rows++) {
      const candidate = (s: number) => 1 - (1 - s ** rows) ** bands;
      const falsePositive = integrate(candidate, 0, threshold);
      const falseNegative = integrate((s) => 1 - candidate(s), threshold, 1);
      const error = 0.1 * falsePositive + 0.9 * falseNegative;
      if (error < bestError) {
        bestError = error;
        best = { bands, rows };
      }
    }
  }
  return best;
}

/** The midpoint rule in steps of 0.001, as datasketch's `_integration` computes it. */
function integrate(f: (x: number) => number, a: number, b: number): number {
  const step = 0.001;
  let area = 0;
  for (let x = a; x < b; x += step) area += f(x + 0.5 * step) * step;
  return area;
}

/** Pairs of indices whose signatures agree on at least one band, each pair once (i < j). */
export function candidatePairs(
  signatures: readonly Uint32Array[],
  { bands, rows }: LshBands,
): [number, number][] {
  const seen = new Set<string>();
  const pairs: [number, number][] = [];
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<string, number[]>();
    signatures.forEach((signature, index) => {
      const key = signature.subarray(band * rows, (band + 1) * rows).join(',');
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    });
    for (const bucket of buckets.values()) {
      for (let a = 0; a < bucket.length; a++) {
        for (let b = a + 1; b < bucket.length; b++) {
          const pair: [number, number] = [bucket[a] as number, bucket[b] as number];
          const key = `${pair[0]},${pair[1]}`;
          if (seen.has(key)) continue;
          seen.add(key);
          pairs.push(pair);
        }
      }
    }
  }
  return pairs;
}
