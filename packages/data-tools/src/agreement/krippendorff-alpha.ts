/**
 * Krippendorff's alpha for nominal data, any number of raters, missing ratings allowed
 * (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", via the coincidence matrix):
 * alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, where a unit rated m >= 2 times
 * adds 1 / (m - 1) to o_ck for each ordered pair of its ratings by different raters.
 *
 * `ratings[rater][unit]` is a label, or undefined where that rater did not rate the unit. Units
 * rated fewer than twice are not pairable and are left out.
 */
export function krippendorffAlpha(ratings: readonly (readonly (string | undefined)[])[]): number {
  const units = Math.max(0, ...ratings.map((r) => r.length));
  const coincidences = new Map<string, Map<string, number>>();
  const add = (c: string, k: string, weight: number) => {
    const row = coincidences.get(c) ?? new Map<string, number>();
    row.set(k, (row.get(k) ?? 0) + weight);
    coincidences.set(c, row);
  };
  for (let u = 0; u < units; u++) {
    const values = ratings.map((r) => r[u]).filter((v): v is string => v !== undefined);
    const m = values.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++)
        if (i !== j) add(values[i] as string, values[j] as string, 1 / (m - 1));
  }
  const totals = new Map<string, number>();
  let n = 0;
  let disagreeing = 0;
  for (const [c, row] of coincidences) {
    for (const [k, o] of row) {
      totals.set(c, (totals.get(c) ?? 0) + o);
      n += o;
      if (c !== k) disagreeing += o;
    }
  }
  let expected = 0;
  for (const [c, nc] of totals) for (const [k, nk] of totals) if (c !== k) expected += nc * nk;
  if (n === 0) return Number.NaN;
  return expected === 0 ? 1 : 1 - ((n - 1) * disagreeing) / expected;
}
