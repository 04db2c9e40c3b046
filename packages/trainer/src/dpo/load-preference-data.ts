import { type PreferenceRecord, UserError } from '@tunekit/core';
import {
  DataTally,
  dataInputs,
  epochRandom,
  type LoadSftDataDeps,
  loaderSetup,
  mixedLength,
  mixSources,
  readDataSources,
  type SftDataConfig,
  type SourceStats,
  splitSources,
  unlessInvalid,
  type WeightedSource,
} from '../data/index.js';
import type { DpoSettings } from './dpo-config.js';
import { pairPlan } from './pair-batches.js';
import type { ReferencedData } from './referenced-data.js';
import { type PairFitOptions, type TokenizedPair, tokenizePair } from './tokenize-pair.js';

/** Tokenised, split and batched preference pairs (training pairs in data order). */
export interface PreferenceData extends ReferencedData {
  readonly trainPairs: readonly TokenizedPair[];
  readonly evalPairs: readonly TokenizedPair[];
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
  const setup = await loaderSetup(c, deps);
  const { lossPolicy: _, ...shared } = setup.fit;
  const { template, bucketLengths } = setup;
  const fit: PairFitOptions = {
    ...shared,
    max_prompt_length: dpo.max_prompt_length,
    max_completion_length: dpo.max_completion_length,
  };
  const tally = new DataTally();

  const sources = await readDataSources(c, {
    container: deps.container,
    task: 'preference',
    baseDir: setup.baseDir,
    skipped: tally.skipped,
  });
  const split = splitSources(c, sources, (loaded) =>
    loaded.records.flatMap(({ where, record }) =>
      unlessInvalid({ skipInvalid: c.skip_invalid, skipped: tally.skipped }, () => {
        const pair = tokenizePair(record as PreferenceRecord, where, fit);
        if (pair.truncated) tally.truncated.push(where);
        return pair;
      }),
    ),
  );
  const trainPairs: TokenizedPair[] = [];
  const weighted: WeightedSource[] = split.train.map((kept, i) => ({
    ids: kept.map((pair) => trainPairs.push(pair) - 1),
    weight: c.train[i].weight,
  }));
  const sourceStats: SourceStats[] = sources.train.map((loaded, i) => ({
    files: loaded.files.map((file) => file.path),
    format: loaded.format.id,
    weight: c.train[i].weight,
    examples: weighted[i].ids.length,
  }));
  if (trainPairs.length === 0)
    throw new UserError(
      `no training pairs are left (${tally.skipped.length} invalid records skipped); the first skipped: ${tally.skipped[0] ?? 'none'}`,
    );
  const evalPairs = split.eval;

  const fingerprint = await setup.fingerprint({
    train: sources.train.map((s, i) => ({
      files: s.fileHashes,
      format: s.format.id,
      weight: c.train[i].weight,
    })),
    eval: sources.eval.map((s) => ({ files: s.fileHashes, format: s.format.id })),
    settings: {
      task: 'preference',
      max_prompt_length: dpo.max_prompt_length,
      max_completion_length: dpo.max_completion_length,
      max_length: c.max_length,
      system: c.system,
      eval_split: c.eval_split,
      seed: c.seed,
      template: setup.fit.template.id,
      bucket_lengths: bucketLengths,
      per_device_train_batch_size: c.per_device_train_batch_size,
    },
  });
  const plan = { bucketLengths, padTokenId: setup.padTokenId };
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
    template,
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
      sources: sourceStats,
      inputs: await dataInputs(sources),
      warnings: tally.warnings(c.max_length),
    },
  };
}
