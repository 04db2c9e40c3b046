import {
  type DatasetFormat,
  type PreferenceRecord,
  resolveAllOf,
  resolveById,
  seededRandom,
  TOKENS,
  UserError,
} from '@tunekit/core';
import { type TemplateFingerprint, templateFingerprint } from '@tunekit/templates';
import {
  type BatchPlan,
  type DataSource,
  type DataStats,
  DataTally,
  dataInputs,
  defaultBucketLengths,
  epochRandom,
  type LoadedSource,
  type LoadSftDataDeps,
  loadSource,
  mixedLength,
  mixSources,
  type SftDataConfig,
  type SourceStats,
  sha256OfJson,
  splitEval,
  templateFit,
  tokenizerHash,
  type WeightedSource,
} from '../data/index.js';
import type { DpoSettings } from './dpo-config.js';
import { pairPlan } from './pair-batches.js';
import { type PairFitOptions, type TokenizedPair, tokenizePair } from './tokenize-pair.js';

/** Tokenised, split and batched preference pairs: what `loadPreferenceData` gives. */
export interface PreferenceData {
  /**
   * The training batches of `epoch`, shuffled with `seed` and the epoch; with `reference` (two
   * precomputed log-probs per training pair) they feed it to the loss.
   */
  train(epoch: number, reference?: Float64Array): BatchPlan;
  /** Every training pair once, in data order: what the reference log-probs are precomputed on. */
  trainInOrder(): BatchPlan;
  /** Evaluation batches in data order; undefined without eval pairs. */
  eval(reference?: Float64Array): BatchPlan | undefined;
  readonly trainPairs: readonly TokenizedPair[];
  readonly evalPairs: readonly TokenizedPair[];
  readonly template: TemplateFingerprint;
  /** As for SFT data, counting pairs as examples. */
  readonly stats: DataStats;
}

/**
 * Loads the data of a DPO run: reads every source (preference formats detected or named),
 * renders and tokenises each pair through the chat template (`tokenizePair`, with TRL's
 * truncation), holds out the eval split, and plans batches of pairs.
 */
export async function loadPreferenceData(
  c: SftDataConfig,
  dpo: Pick<DpoSettings, 'max_prompt_length' | 'max_completion_length'>,
  deps: LoadSftDataDeps,
): Promise<PreferenceData> {
  const { container, tokenizer } = deps;
  const baseDir = deps.baseDir ?? process.cwd();
  const formats = resolveAllOf(container, TOKENS.DatasetFormat);
  const { lossPolicy: _, ...shared } = (await templateFit(c, deps)).fit;
  const { template, context } = shared;
  const templatePrint = templateFingerprint(template, context);
  const bucketLengths = c.bucket_lengths ?? defaultBucketLengths(c.max_length);
  const fit: PairFitOptions = {
    ...shared,
    max_prompt_length: dpo.max_prompt_length,
    max_completion_length: dpo.max_completion_length,
  };
  const tally = new DataTally();

  const read = async (source: DataSource): Promise<[LoadedSource, TokenizedPair[]]> => {
    const formatId = source.format ?? c.format;
    const format: DatasetFormat | undefined =
      formatId === undefined
        ? undefined
        : resolveById(container, TOKENS.DatasetFormat, formatId, 'dataset format');
    const loaded = await loadSource({
      paths: [source.path].flat(),
      format,
      formats,
      task: 'preference',
      baseDir,
      skipInvalid: c.skip_invalid,
    });
    tally.skipped.push(...loaded.skipped);
    const pairs: TokenizedPair[] = [];
    for (const { where, record } of loaded.records) {
      try {
        const pair = tokenizePair(record as PreferenceRecord, where, fit);
        if (pair.truncated) tally.truncated.push(where);
        pairs.push(pair);
      } catch (error) {
        if (!(error instanceof UserError) || !c.skip_invalid) throw error;
        tally.skipped.push(error.message);
      }
    }
    return [loaded, pairs];
  };

  const trainPairs: TokenizedPair[] = [];
  const evalPairs: TokenizedPair[] = [];
  const weighted: WeightedSource[] = [];
  const sources: SourceStats[] = [];
  const loadedTrain: LoadedSource[] = [];
  const splitRandom = seededRandom(c.seed);
  for (const source of c.train) {
    const [loaded, pairs] = await read(source);
    loadedTrain.push(loaded);
    const files = loaded.files.map((file) => file.path);
    let kept = pairs;
    if (c.eval_split !== undefined && pairs.length > 0) {
      const parts = splitEval(
        pairs.map((_, i) => i),
        c.eval_split,
        splitRandom,
        files.join(', '),
      );
      evalPairs.push(...parts.eval.map((i) => pairs[i]));
      kept = parts.train.map((i) => pairs[i]);
    }
    const ids = kept.map((pair) => trainPairs.push(pair) - 1);
    weighted.push({ ids, weight: source.weight });
    sources.push({ files, format: loaded.format.id, weight: source.weight, examples: ids.length });
  }
  if (trainPairs.length === 0)
    throw new UserError(
      `no training pairs are left (${tally.skipped.length} invalid records skipped); the first skipped: ${tally.skipped[0] ?? 'none'}`,
    );
  const loadedEval: LoadedSource[] = [];
  for (const source of c.eval ?? []) {
    const [loaded, pairs] = await read(source);
    loadedEval.push(loaded);
    evalPairs.push(...pairs);
  }

  const fingerprint = sha256OfJson({
    train: loadedTrain.map((s, i) => ({
      files: s.fileHashes,
      format: s.format.id,
      weight: c.train[i].weight,
    })),
    eval: loadedEval.map((s) => ({ files: s.fileHashes, format: s.format.id })),
    template: templatePrint.sha256,
    tokenizer: await tokenizerHash(tokenizer, deps.tokenizerDir),
    settings: {
      task: 'preference',
      max_prompt_length: dpo.max_prompt_length,
      max_completion_length: dpo.max_completion_length,
      max_length: c.max_length,
      system: c.system,
      eval_split: c.eval_split,
      seed: c.seed,
      template: template.id,
      bucket_lengths: bucketLengths,
      per_device_train_batch_size: c.per_device_train_batch_size,
    },
  });
  const plan = { bucketLengths, padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0 };
  const answerTokens = (p: TokenizedPair) =>
    [p.chosen, p.rejected].reduce((n, a) => n + a.labels.filter((l) => l >= 0).length, 0);
  return {
    train(epoch, reference) {
      if (!Number.isInteger(epoch) || epoch < 0)
        throw new RangeError(`train(epoch): expected an integer >= 0, got ${epoch}`);
      const random = epochRandom(c.seed, epoch);
      return pairPlan(mixSources(weighted, random), trainPairs, {
        ...plan,
        batchSize: c.per_device_train_batch_size,
        random,
        reference,
      });
    },
    trainInOrder: () =>
      pairPlan(
        trainPairs.map((_, i) => i),
        trainPairs,
        { ...plan, batchSize: c.per_device_eval_batch_size },
      ),
    eval: (reference) =>
      evalPairs.length === 0
        ? undefined
        : pairPlan(
            evalPairs.map((_, i) => i),
            evalPairs,
            { ...plan, batchSize: c.per_device_eval_batch_size, reference },
          ),
    trainPairs,
    evalPairs,
    template: templatePrint,
    stats: {
      examples: trainPairs.length,
      evalExamples: evalPairs.length,
      skipped: tally.skipped.length,
      truncated: tally.truncated.length,
      duplicates: 0,
      unsupervised: 0,
      supervisedTokens: trainPairs.reduce((n, p) => n + answerTokens(p), 0),
      examplesPerEpoch: mixedLength(weighted),
      fingerprint,
      sources,
      inputs: await dataInputs({ train: loadedTrain, eval: loadedEval }),
      warnings: tally.warnings(c.max_length),
    },
  };
}
