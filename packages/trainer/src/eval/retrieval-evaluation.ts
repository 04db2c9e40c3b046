import type { EmbeddingPair, Example } from '../data/index.js';
import type { Embedder } from './embedder.js';
import { type RetrievalScores, retrievalScores } from './retrieval-metrics.js';

/** The k of recall@k an embedding evaluation reports. */
export const RECALL_AT = [1, 5, 10] as const;

/**
 * Retrieval on eval pairs: every query against the corpus of all pairs' positives and negatives,
 * ranked by cosine similarity; recall@1/5/10, MRR and the InfoNCE loss over the whole corpus, as
 * eval metrics (`loss`, `recall@1`, ..., `mrr`).
 */
export async function evaluateRetrieval(
  embedder: Embedder,
  texts: readonly Example[],
  pairs: readonly EmbeddingPair[],
  temperature: number,
): Promise<{ metrics: Record<string, number>; scores: RetrievalScores }> {
  const corpus = [...new Set(pairs.flatMap((p) => [p.positive, p.negative ?? p.positive]))];
  const queries = pairs.map((p) => p.query);
  const vectors = await embedder.embed([...queries, ...corpus].map((id) => texts[id]));
  const q = vectors.slice(0, queries.length);
  const d = vectors.slice(queries.length);
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
  const similarity = q.map((qv) => d.map((dv) => dot(qv, dv)));
  const gold = pairs.map((p) => corpus.indexOf(p.positive));
  const scores = retrievalScores(similarity, gold, { ks: RECALL_AT, temperature });
  const metrics: Record<string, number> = { loss: scores.loss, mrr: scores.mrr };
  for (const k of RECALL_AT) metrics[`recall@${k}`] = scores.recall[k];
  return { metrics, scores };
}
