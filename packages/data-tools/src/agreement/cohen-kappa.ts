/**
 * Cohen's kappa (1960) of two raters' nominal labels for the same items: (p_o - p_e) / (1 - p_e),
 * p_o the observed agreement and p_e the agreement expected from each rater's label frequencies.
 * Items either rater left unlabelled (undefined) are left out. 1 when both agree on everything
 * and chance alone would too (a single label throughout).
 */
export function cohenKappa(
  a: readonly (string | undefined)[],
  b: readonly (string | undefined)[],
): number {
  if (a.length !== b.length)
    throw new RangeError(`cohenKappa: ${a.length} labels against ${b.length}; rate the same items`);
  const pairs = a
    .map((label, i) => [label, b[i]] as const)
    .filter(
      (pair): pair is readonly [string, string] => pair[0] !== undefined && pair[1] !== undefined,
    );
  if (pairs.length === 0) return Number.NaN;
  const n = pairs.length;
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    countsA.set(x, (countsA.get(x) ?? 0) + 1);
    countsB.set(y, (countsB.get(y) ?? 0) + 1);
  }
  const observed = agree / n;
  let expected = 0;
  for (const [label, count] of countsA) expected += (count / n) * ((countsB.get(label) ?? 0) / n);
  return expected === 1 ? 1 : (observed - expected) / (1 - expected);
}
