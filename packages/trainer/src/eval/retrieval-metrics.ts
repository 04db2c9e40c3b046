/** How well queries find their own document among all candidates. */
export interface RetrievalScores {
  /** recall@k for each k asked for: the share of queries whose document ranks in the top k. */
  readonly recall: Readonly<Record<number, number>>;
  /** The mean over queries of 1 / (the rank of its document). */
  readonly mrr: number;
  /** InfoNCE over all candidates: the mean of -log softmax(scores / temperature)[its document]. */
  readonly loss: number;
}

/**
 * Scores retrieval from a query-by-candidate similarity matrix (`scores[q][c]`, e.g. cosine) and
 * each query's relevant candidate `gold[q]`. Ties rank the relevant candidate after the others
 * (a pessimistic rank), so a constant embedding scores as badly as it should.
 */
export function retrievalScores(
  scores: readonly (readonly number[])[],
  gold: readonly number[],
  opts: { readonly ks: readonly number[]; readonly temperature: number },
): RetrievalScores {
  const ranks = scores.map((row, q) => {
    const own = row[gold[q]];
    return 1 + row.filter((s, c) => c !== gold[q] && s >= own).length;
  });
  const losses = scores.map((row, q) => {
    const z = row.map((s) => s / opts.temperature);
    const max = Math.max(...z);
    const logSum = max + Math.log(z.reduce((sum, v) => sum + Math.exp(v - max), 0));
    return logSum - z[gold[q]];
  });
  const mean = (values: readonly number[]) =>
    values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  return {
    recall: Object.fromEntries(opts.ks.map((k) => [k, mean(ranks.map((r) => (r <= k ? 1 : 0)))])),
    mrr: mean(ranks.map((r) => 1 / r)),
    loss: mean(losses),
  };
}
