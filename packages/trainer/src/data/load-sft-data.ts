import { describeDataInput, parseOrThrow, type Tokenizer, UserError } from '@tunekit/core';
import { SupervisionGuard } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import type { BatchPlan } from './batch.js';
import { DataTally } from './data-tally.js';
import { DuplicateFilter } from './duplicate-filter.js';
import { epochPlan, inOrderPlan } from './epoch-plan.js';
import { type EvalPrompt, evalPrompt } from './eval-prompt.js';
import type { Example } from './example.js';
import type { FitOptions } from './fit-record.js';
import { type LoadedSource, readDataSources } from './load-source.js';
import { splitSources } from './load-splits.js';
import { loaderSetup } from './loader-setup.js';
import { mixedLength, mixSources, temperatureWeights, type WeightedSource } from './mix-sources.js';
import { epochRandom, shuffle } from './seeded-order.js';
import type { DataFileInput, SftData, SourceStats, TaskSplit } from './sft-data.js';
import { type SftDataConfigInput, sftDataConfigSchema } from './sft-data-config.js';
import { type TokenizedRecord, tokenizeSource } from './tokenize-source.js';

export interface LoadSftDataDeps {
  /** Resolves the dataset formats (TOKENS.DatasetFormat) and the chat template by id. */
  readonly container: DependencyContainer;
  readonly tokenizer: Tokenizer;
  /** The folder of tokenizer.json, whose files the fingerprint hashes; default the in-memory definition. */
  readonly tokenizerDir?: string;
  /** Where relative data and template paths start (the config file's folder); default the working directory. */
  readonly baseDir?: string;
}

/**
 * Loads the data of a supervised fine-tuning run: reads every source (formats detected or named),
 * renders and tokenises the records through the chat template within max_length, removes exact
 * duplicates and examples without loss, holds out the eval split, and plans bucketed (or packed)
 * batches. Loss weighting, for the trainer: the loss of a batch is the mean over its
 * `supervisedTokens`, every supervised token weighing the same, packed or not.
 */
export async function loadSftData(
  config: SftDataConfigInput,
  deps: LoadSftDataDeps,
): Promise<SftData> {
  const c = parseOrThrow(sftDataConfigSchema, config, 'data config');
  const setup = await loaderSetup(c, deps);
  const { template, context } = setup.fit;
  const { template: templatePrint, bucketLengths } = setup;
  const fit: FitOptions & { skipInvalid: boolean } = { ...setup.fit, skipInvalid: c.skip_invalid };
  const tally = new DataTally();

  const sources = await readDataSources(c, {
    container: deps.container,
    task: 'sft',
    baseDir: setup.baseDir,
    skipped: tally.skipped,
  });
  const trainFilter = new DuplicateFilter();
  const evalFilter = new DuplicateFilter();
  const guard = new SupervisionGuard(templatePrint, c.loss_policy);
  /** Drops duplicates (when asked) and examples without loss, telling `guard` of each unique one. */
  const keep = (records: TokenizedRecord[], filter: DuplicateFilter, guard?: SupervisionGuard) =>
    records.filter(({ example, doubleBos }) => {
      if (c.remove_duplicates && filter.isDuplicate(example)) {
        tally.duplicates.push(example.where);
        return false;
      }
      guard?.add(example.where, { supervisedTokens: example.supervisedTokens, doubleBos });
      if (example.supervisedTokens > 0) return true;
      tally.unsupervised.push(example.where);
      return false;
    });
  const split = splitSources(c, sources, (loaded, split, i) => {
    const records = tokenizeSource(loaded, fit, tally.skipped);
    for (const r of records) {
      if (r.truncated) tally.truncated.push(r.example.where);
      if (r.doubleBos) tally.doubleBos.push(r.example.where);
    }
    const kept = split === 'train' ? keep(records, trainFilter, guard) : keep(records, evalFilter);
    return withTask(kept, (split === 'train' ? c.train : (c.eval ?? []))[i].task);
  });
  guard.finish();

  const trainExamples: Example[] = [];
  const sourceIds = split.train.map((kept) =>
    kept.map(({ example }) => trainExamples.push(example) - 1),
  );
  const weights =
    c.mix_temperature === undefined
      ? c.train.map((source) => source.weight)
      : temperatureWeights(
          c.train.map((source, i) => ({ examples: sourceIds[i].length, weight: source.weight })),
          c.mix_temperature,
        );
  const weighted: WeightedSource[] = sourceIds.map((ids, i) => ({ ids, weight: weights[i] }));
  const sourceStats: SourceStats[] = sources.train.map((loaded, i) => ({
    files: loaded.files.map((file) => file.path),
    format: loaded.format.id,
    weight: weights[i],
    examples: sourceIds[i].length,
    ...(c.train[i].task !== undefined && { task: c.train[i].task }),
  }));
  if (trainExamples.length === 0) {
    throw new UserError(
      `no training examples are left (${tally.skipped.length} invalid records skipped, ${tally.duplicates.length} duplicates removed); the first skipped: ${tally.skipped[0] ?? 'none'}`,
    );
  }

  const held = split.eval;
  const evalExamples = held.map(({ example }) => example);
  const sampleOptions = { template, context, system: c.system };
  const evalPrompts = held.flatMap(({ record, example }) => {
    const sample = evalPrompt(record, example.where, sampleOptions);
    if (sample === undefined) return [];
    return [example.task === undefined ? sample : { ...sample, task: example.task }];
  });

  const fingerprint = await setup.fingerprint({
    train: sources.train.map((s, i) => ({
      files: s.fileHashes,
      format: s.format.id,
      weight: c.train[i].weight,
      task: c.train[i].task,
    })),
    eval: sources.eval.map((s, i) => ({
      files: s.fileHashes,
      format: s.format.id,
      task: c.eval?.[i].task,
    })),
    settings: setup.settings,
  });

  const planOptions = {
    bucketLengths,
    packTo: c.packing ? c.max_length : undefined,
    padTokenId: setup.padTokenId,
  };
  return {
    train(epoch) {
      if (!Number.isInteger(epoch) || epoch < 0)
        throw new RangeError(`train(epoch): expected an integer >= 0, got ${epoch}`);
      const random = epochRandom(c.seed, epoch);
      const ids = shuffle(mixSources(weighted, random), random);
      return epochPlan(ids, trainExamples, {
        ...planOptions,
        taskLossWeights: c.task_loss_weights,
        batchSize: c.per_device_train_batch_size,
        random,
      });
    },
    eval: inOrderPlan(evalExamples, { ...planOptions, batchSize: c.per_device_eval_batch_size }),
    evalPrompts,
    evalTasks: taskSplits(evalExamples, evalPrompts, (ids) =>
      epochPlan(ids, evalExamples, { ...planOptions, batchSize: c.per_device_eval_batch_size }),
    ),
    trainExamples,
    evalExamples,
    template: templatePrint,
    bucketLengths,
    stats: {
      examples: trainExamples.length,
      evalExamples: evalExamples.length,
      skipped: tally.skipped.length,
      truncated: tally.truncated.length,
      duplicates: tally.duplicates.length,
      unsupervised: tally.unsupervised.length,
      supervisedTokens: trainExamples.reduce((sum, e) => sum + e.supervisedTokens, 0),
      examplesPerEpoch: mixedLength(weighted),
      fingerprint,
      sources: sourceStats,
      inputs: await dataInputs(sources),
      warnings: tally.warnings(c.max_length),
    },
  };
}

/** The records with their source's task on their examples. */
function withTask(records: TokenizedRecord[], task: string | undefined): TokenizedRecord[] {
  return task === undefined
    ? records
    : records.map((r) => ({ ...r, example: { ...r.example, task } }));
}

/** The eval split by task, in order of first appearance; empty when no eval example has a task. */
function taskSplits(
  examples: readonly Example[],
  prompts: readonly EvalPrompt[],
  plan: (ids: number[]) => BatchPlan,
): TaskSplit[] {
  const ids = new Map<string, number[]>();
  examples.forEach((example, i) => {
    if (example.task === undefined) return;
    const list = ids.get(example.task) ?? [];
    if (list.length === 0) ids.set(example.task, list);
    list.push(i);
  });
  return [...ids].map(([task, taskIds]) => ({
    task,
    batches: plan(taskIds),
    prompts: prompts.filter((p) => p.task === task),
  }));
}

/** Every data file read, by split, with its hash and the manifest beside it if it has one. */
export async function dataInputs(
  splits: Readonly<Record<'train' | 'eval', readonly LoadedSource[]>>,
): Promise<DataFileInput[]> {
  const files = (['train', 'eval'] as const).flatMap((split) =>
    splits[split].flatMap((source) =>
      source.files.map((file, i) => ({ split, file, sha256: source.fileHashes[i] })),
    ),
  );
  return Promise.all(
    files.map(async ({ split, file, sha256 }) => ({
      split,
      ...(await describeDataInput(file.absolute, sha256)),
    })),
  );
}
