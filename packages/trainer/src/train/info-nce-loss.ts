import { ops, poolEmbeddings } from '@tunekit/core';
import { type ComputeLoss, IGNORE_INDEX } from './causal-lm-loss.js';

/**
 * InfoNCE with in-batch negatives (sentence-transformers' MultipleNegativesRankingLoss, scale =
 * 1 / temperature) on an embedding batch: rows [queries (N) | positives (N) | negatives (N, optional)],
 * each row's `labels` -100 except at the tokens its pooling reads (every token for mean pooling,
 * the last for last-token pooling), so `logits` (the last hidden states [R, T, H]) pool to
 * e = sum_t(h_t m_t) / sum_t(m_t), normalised (`poolEmbeddings`). Query i's scores are its cosine similarities with
 * every positive and negative of the batch over the temperature, and its target is positive i:
 * the cross-entropy summed over queries, divided by num_items_in_batch (the window's queries).
 */
export function infoNceLoss(
  temperature: number,
  layout: { readonly withNegatives: boolean },
): ComputeLoss {
  const rowsPerQuery = layout.withNegatives ? 3 : 2;
  return ({ logits: hidden, labels, numItemsInBatch }) => {
    const rows = hidden.dim(0);
    if (rows % rowsPerQuery !== 0)
      throw new Error(`an embedding batch of ${rows} rows is not ${rowsPerQuery} rows per query`);
    const n = rows / rowsPerQuery;
    const embeddings = poolEmbeddings(hidden, labels, IGNORE_INDEX);
    const queries = embeddings.narrow(0, 0, n);
    const documents = embeddings.narrow(0, n, rows);
    const scores = queries.matmul(documents.transpose()).mul(1 / temperature);
    const targets = hidden.builder.arange(n);
    return ops.crossEntropy(scores, targets, { reduction: 'sum' }).div(numItemsInBatch);
  };
}
