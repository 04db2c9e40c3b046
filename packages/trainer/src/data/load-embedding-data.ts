import { parseOrThrow, seededRandom, UserError } from '@tunekit/core';
import { IGNORE_INDEX, templateFingerprint } from '@tunekit/templates';
import type { BatchPlan, TrainBatch } from './batch.js';
import { bucketFor, collate, defaultBucketLengths } from './batching/index.js';
import type { Example } from './example.js';
import { sha256OfJson, tokenizerHash } from './fingerprint.js';
import type { LoadSftDataDeps } from './load-sft-data.js';
import { epochRandom, shuffle } from './seeded-order.js';
import type { SftData } from './sft-data.js';
import { type SftDataConfigInput, sftDataConfigSchema } from './sft-data-config.js';
import { splitEval } from './split-eval.js';
import { taskDataStats } from './task-data-stats.js';
import { templateFit } from './template-fit.js';
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
  const { tokenizer } = deps;
  const { baseDir, fit } = await templateFit(c, deps);
  const { template, context } = fit;
  const skipped: string[] = [];
  const truncated: string[] = [];
  const read = (source: (typeof c.train)[number]) =>
    readTextSource(source, { baseDir, skipInvalid: c.skip_invalid, skipped });
  const trainSources = await Promise.all(c.train.map(read));
  const evalSources = await Promise.all((c.eval ?? []).map(read));

  const text = (texts: Example[], where: string, value: unknown, field: string, query: boolean) => {
    const { ids, truncated: cut } = encodeText(value, where, field, fit);
    if (cut) truncated.push(`${where} (${field})`);
    // a batch's loss is a mean over its queries: each query counts one
    return texts.push(pooledExample(where, ids, pooling, query ? 1 : 0)) - 1;
  };
  const toPairs = (source: TextSource, texts: Example[]) =>
    source.records.flatMap(({ where, fields }): EmbeddingPair[] => {
      try {
        const queryField = fields.query !== undefined ? 'query' : 'anchor';
        const pair = {
          query: text(texts, where, fields[queryField], queryField, true),
          positive: text(texts, where, fields.positive, 'positive', false),
        };
        return [
          fields.negative === undefined
            ? pair
            : { ...pair, negative: text(texts, where, fields.negative, 'negative', false) },
        ];
      } catch (error) {
        if (!(error instanceof UserError) || !c.skip_invalid) throw error;
        skipped.push(error.message);
        return [];
      }
    });

  const trainTexts: Example[] = [];
  const evalTexts: Example[] = [];
  const trainPairs: EmbeddingPair[] = [];
  const evalPairs: EmbeddingPair[] = [];
  const splitRandom = seededRandom(c.seed);
  for (const source of trainSources) {
    const pairs = toPairs(source, trainTexts);
    if (c.eval_split === undefined) {
      trainPairs.push(...pairs);
      continue;
    }
    const where = source.files.map((f) => f.path).join(', ');
    const parts = splitEval(
      pairs.map((_, i) => i),
      c.eval_split,
      splitRandom,
      where,
    );
    trainPairs.push(...parts.train.map((i) => pairs[i]));
    // held-out pairs are re-read into the eval texts, so eval indices stay in their own list
    for (const i of parts.eval) evalPairs.push(copyPair(pairs[i], trainTexts, evalTexts));
  }
  for (const source of evalSources) evalPairs.push(...toPairs(source, evalTexts));
  const batchSize = c.per_device_train_batch_size;
  if (trainPairs.length < batchSize)
    throw new UserError(
      `embedding training needs at least per_device_train_batch_size (${batchSize}) pairs, got ${trainPairs.length}`,
    );
  const withNegatives = trainPairs.every((p) => p.negative !== undefined);
  if (!withNegatives && trainPairs.some((p) => p.negative !== undefined))
    throw new UserError('either every training record has a negative or none has');

  const bucketLengths = c.bucket_lengths ?? defaultBucketLengths(c.max_length);
  const padTokenId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
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
      padTokenId,
      packed: false,
    });
  };
  const templatePrint = templateFingerprint(template, context);
  const { train: _t, eval: _e, ...settings } = c;
  const fingerprint = sha256OfJson({
    task: 'FEATURE_EXTRACTION',
    pooling,
    train: trainSources.map((s) => s.fileHashes),
    eval: evalSources.map((s) => s.fileHashes),
    template: templatePrint.sha256,
    tokenizer: await tokenizerHash(tokenizer, deps.tokenizerDir),
    settings: { ...settings, template: template.id, bucket_lengths: bucketLengths },
  });
  return {
    withNegatives,
    evalPairs,
    evalTexts,
    train(epoch): BatchPlan {
      const order = shuffle([...trainPairs], epochRandom(c.seed, epoch));
      const length = Math.floor(order.length / batchSize);
      const batch = (i: number) => batchOf(order.slice(i * batchSize, (i + 1) * batchSize));
      return {
        length,
        batch,
        *[Symbol.iterator]() {
          for (let i = 0; i < length; i++) yield batch(i);
        },
      };
    },
    // evaluation embeds texts itself (EmbeddingEvaluator), not in training batches
    eval: undefined,
    evalPrompts: [],
    evalTasks: [],
    trainExamples: trainTexts,
    evalExamples: evalTexts,
    template: templatePrint,
    bucketLengths,
    stats: taskDataStats({
      format: pooling === 'mean' ? 'pairs, mean pooling' : 'pairs, last-token pooling',
      trainSources,
      evalSources,
      trainCount: trainPairs.length,
      evalCount: evalPairs.length,
      sourceCounts: trainSources.map((s) => s.records.length),
      weights: c.train.map((s) => s.weight),
      fingerprint,
      skipped,
      truncated,
      maxLength: c.max_length,
    }),
  };
}

/** `pair`'s texts copied from `from` to the end of `to`, with the indices they get there. */
function copyPair(pair: EmbeddingPair, from: readonly Example[], to: Example[]): EmbeddingPair {
  const copy = (id: number) => to.push(from[id]) - 1;
  return {
    query: copy(pair.query),
    positive: copy(pair.positive),
    ...(pair.negative === undefined ? {} : { negative: copy(pair.negative) }),
  };
}
