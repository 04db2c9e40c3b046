import { parseOrThrow, UserError } from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';
import { type BatchPlan, lazyPlan, type TrainBatch } from './batch.js';
import { bucketFor, collate } from './batching/index.js';
import type { Example } from './example.js';
import type { LoadSftDataDeps } from './load-sft-data.js';
import { readSources, splitSources, unlessInvalid } from './load-splits.js';
import { loaderSetup } from './loader-setup.js';
import { epochRandom, shuffle } from './seeded-order.js';
import type { SftData } from './sft-data.js';
import { type SftDataConfigInput, sftDataConfigSchema } from './sft-data-config.js';
import { taskDataStats } from './task-data-stats.js';
import { encodeText, readTextSource, type TextSource } from './text-records.js';

/** sentence-transformers' pooling modes: the mean of the tokens' states, or the last token's. */
export const POOLING_MODES = ['mean', 'lasttoken'] as const;
export type PoolingMode = (typeof POOLING_MODES)[number];

/**
 * A text as an Example for embedding: its labels mark the tokens `pooling` reads (0 there, -100
 * elsewhere: every token for mean pooling, the last for last-token pooling); `weight` is what it
 * adds to a batch's count of items (1 for a query, 0 for a document).
 */
export function pooledExample(
  where: string,
  ids: readonly number[],
  pooling: PoolingMode,
  weight = 0,
): Example {
  const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);
  if (pooling === 'mean') labels.fill(0);
  else labels[ids.length - 1] = 0;
  return { where, input_ids: Int32Array.from(ids), labels, supervisedTokens: weight };
}

/** A (query, positive[, negative]) example: indices into `texts`. */
export interface EmbeddingPair {
  readonly query: number;
  readonly positive: number;
  readonly negative?: number;
}

/** Embedding data: every text once as an Example, the pairs over them, and batches of pairs. */
export interface EmbeddingData extends SftData {
  /** True when every record has a negative: batches are then [queries | positives | negatives]. */
  readonly withNegatives: boolean;
  readonly evalPairs: readonly EmbeddingPair[];
  /** The texts eval pairs point into (queries and documents), as Examples with their pooling mask. */
  readonly evalTexts: readonly Example[];
}

/**
 * Loads (query, positive[, negative]) records for embedding training, sentence-transformers'
 * shape: `{"query" | "anchor": ..., "positive": ..., "negative": ...}`, each a text or a list of
 * messages. Each text becomes one Example whose labels mark the tokens the pooling reads (every
 * token for `mean`, the last for `lasttoken`; -100 elsewhere), and a training batch holds
 * per_device_train_batch_size pairs as rows [queries | positives | negatives], so every other
 * pair's documents are a query's in-batch negatives (an incomplete last batch is dropped).
 */
export async function loadEmbeddingData(
  config: SftDataConfigInput,
  pooling: PoolingMode,
  deps: LoadSftDataDeps,
): Promise<EmbeddingData> {
  const c = parseOrThrow(sftDataConfigSchema, config, 'data config');
  const setup = await loaderSetup(c, deps);
  const { baseDir, fit, bucketLengths } = setup;
  const skipped: string[] = [];
  const truncated: string[] = [];
  const sources = await readSources(c, (source) =>
    readTextSource(source, { baseDir, skipInvalid: c.skip_invalid, skipped }),
  );

  const text = (where: string, value: unknown, field: string, query: boolean) => {
    const { ids, truncated: cut } = encodeText(value, where, field, fit);
    if (cut) truncated.push(`${where} (${field})`);
    // a batch's loss is a mean over its queries: each query counts one
    return pooledExample(where, ids, pooling, query ? 1 : 0);
  };
  const toPairs = (source: TextSource) =>
    source.records.flatMap(({ where, fields }) =>
      unlessInvalid({ skipInvalid: c.skip_invalid, skipped }, (): TextPair => {
        const queryField = fields.query !== undefined ? 'query' : 'anchor';
        const pair = {
          query: text(where, fields[queryField], queryField, true),
          positive: text(where, fields.positive, 'positive', false),
        };
        return fields.negative === undefined
          ? pair
          : { ...pair, negative: text(where, fields.negative, 'negative', false) };
      }),
    );
  const split = splitSources(c, sources, toPairs);
  // each split's pairs point into its own list of texts
  const trainTexts: Example[] = [];
  const evalTexts: Example[] = [];
  const trainPairs = split.train.flat().map((pair) => indexPair(pair, trainTexts));
  const evalPairs = split.eval.map((pair) => indexPair(pair, evalTexts));
  const batchSize = c.per_device_train_batch_size;
  if (trainPairs.length < batchSize)
    throw new UserError(
      `embedding training needs at least per_device_train_batch_size (${batchSize}) pairs, got ${trainPairs.length}`,
    );
  const withNegatives = trainPairs.every((p) => p.negative !== undefined);
  if (!withNegatives && trainPairs.some((p) => p.negative !== undefined))
    throw new UserError('either every training record has a negative or none has');

  const batchOf = (pairs: readonly EmbeddingPair[]): TrainBatch => {
    const rows = [
      ...pairs.map((p) => [p.query]),
      ...pairs.map((p) => [p.positive]),
      ...(withNegatives ? pairs.map((p) => [p.negative as number]) : []),
    ];
    const longest = Math.max(...rows.map(([id]) => trainTexts[id].input_ids.length));
    const length = bucketFor(longest, bucketLengths);
    return collate({ rows, length }, trainTexts, {
      batchSize: rows.length,
      padTokenId: setup.padTokenId,
      packed: false,
    });
  };
  const fingerprint = await setup.fingerprint({
    task: 'FEATURE_EXTRACTION',
    pooling,
    train: sources.train.map((s) => s.fileHashes),
    eval: sources.eval.map((s) => s.fileHashes),
    settings: setup.settings,
  });
  return {
    withNegatives,
    evalPairs,
    evalTexts,
    train(epoch): BatchPlan {
      const order = shuffle([...trainPairs], epochRandom(c.seed, epoch));
      const length = Math.floor(order.length / batchSize);
      return lazyPlan(length, (i) => batchOf(order.slice(i * batchSize, (i + 1) * batchSize)));
    },
    // evaluation embeds texts itself (EmbeddingEvaluator), not in training batches
    eval: undefined,
    evalPrompts: [],
    evalTasks: [],
    trainExamples: trainTexts,
    evalExamples: evalTexts,
    template: setup.template,
    bucketLengths,
    stats: taskDataStats(c, sources, {
      format: pooling === 'mean' ? 'pairs, mean pooling' : 'pairs, last-token pooling',
      trainCount: trainPairs.length,
      evalCount: evalPairs.length,
      fingerprint,
      skipped,
      truncated,
    }),
  };
}

/** A pair of texts before they are indexed. */
interface TextPair {
  readonly query: Example;
  readonly positive: Example;
  readonly negative?: Example;
}

/** `pair` with its texts added to the end of `texts`, as indices there. */
function indexPair(pair: TextPair, texts: Example[]): EmbeddingPair {
  const add = (text: Example) => texts.push(text) - 1;
  return {
    query: add(pair.query),
    positive: add(pair.positive),
    ...(pair.negative === undefined ? {} : { negative: add(pair.negative) }),
  };
}
