import {
  type DatasetFormat,
  describeDataInput,
  parseOrThrow,
  resolveAllOf,
  resolveById,
  seededRandom,
  TOKENS,
  type Tokenizer,
  UserError,
} from '@tunekit/core';
import { SupervisionGuard, templateFingerprint } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import type { BatchPlan } from './batch.js';
import { defaultBucketLengths } from './batching/index.js';
import { DataTally } from './data-tally.js';
import { DuplicateFilter } from './duplicate-filter.js';
import { epochPlan } from './epoch-plan.js';
import { type EvalPrompt, evalPrompt } from './eval-prompt.js';
import type { Example } from './example.js';
import { sha256OfJson, tokenizerHash } from './fingerprint.js';
import type { FitOptions } from './fit-record.js';
import { type LoadedSource, loadSource } from './load-source.js';
import { mixedLength, mixSources, temperatureWeights, type WeightedSource } from './mix-sources.js';
import { epochRandom, shuffle } from './seeded-order.js';
import type { DataFileInput, SftData, SourceStats, TaskSplit } from './sft-data.js';
import {
  type DataSource,
  type SftDataConfigInput,
  sftDataConfigSchema,
} from './sft-data-config.js';
import { splitEval } from './split-eval.js';
import { templateFit } from './template-fit.js';
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
  const { container, tokenizer } = deps;
  const formats = resolveAllOf(container, TOKENS.DatasetFormat);
  const setup = await templateFit(c, deps);
  const { baseDir } = setup;
  const { template, context } = setup.fit;
  const templatePrint = templateFingerprint(template, context);
  const bucketLengths = c.bucket_lengths ?? defaultBucketLengths(c.max_length);
  const fit: FitOptions & { skipInvalid: boolean } = { ...setup.fit, skipInvalid: c.skip_invalid };
  const tally = new DataTally();

  const read = async (source: DataSource): Promise<[LoadedSource, TokenizedRecord[]]> => {
    const formatId = source.format ?? c.format;
    const format: DatasetFormat | undefined =
      formatId === undefined
        ? undefined
        : resolveById(container, TOKENS.DatasetFormat, formatId, 'dataset format');
    const loaded = await loadSource({
      paths: [source.path].flat(),
      format,
      formats,
      task: 'sft',
      baseDir,
      skipInvalid: c.skip_invalid,
    });
    tally.skipped.push(...loaded.skipped);
    const records = tokenizeSource(loaded, fit, tally.skipped);
    for (const r of records) {
      if (r.truncated) tally.truncated.push(r.example.where);
      if (r.doubleBos) tally.doubleBos.push(r.example.where);
    }
    return [loaded, records];
  };
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

  const trainExamples: Example[] = [];
  const held: TokenizedRecord[] = [];
  const sourceIds: number[][] = [];
  const loadedTrain: LoadedSource[] = [];
  const trainFilter = new DuplicateFilter();
  const guard = new SupervisionGuard(templatePrint, c.loss_policy);
  const splitRandom = seededRandom(c.seed);
  for (const source of c.train) {
    const [loaded, records] = await read(source);
    loadedTrain.push(loaded);
    let kept = withTask(keep(records, trainFilter, guard), source.task);
    const files = loaded.files.map((file) => file.path);
    if (c.eval_split !== undefined && kept.length > 0) {
      const parts = splitEval(
        kept.map((_, i) => i),
        c.eval_split,
        splitRandom,
        files.join(', '),
      );
      held.push(...parts.eval.map((i) => kept[i]));
      kept = parts.train.map((i) => kept[i]);
    }
    sourceIds.push(kept.map(({ example }) => trainExamples.push(example) - 1));
  }
  guard.finish();
  const weights =
    c.mix_temperature === undefined
      ? c.train.map((source) => source.weight)
      : temperatureWeights(
          c.train.map((source, i) => ({ examples: sourceIds[i].length, weight: source.weight })),
          c.mix_temperature,
        );
  const weighted: WeightedSource[] = sourceIds.map((ids, i) => ({ ids, weight: weights[i] }));
  const sourceStats: SourceStats[] = loadedTrain.map((loaded, i) => ({
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

  const loadedEval: LoadedSource[] = [];
  const evalFilter = new DuplicateFilter();
  for (const source of c.eval ?? []) {
    const [loaded, records] = await read(source);
    loadedEval.push(loaded);
    held.push(...withTask(keep(records, evalFilter), source.task));
  }
  const evalExamples = held.map(({ example }) => example);
  const sampleOptions = { template, context, system: c.system };
  const evalPrompts = held.flatMap(({ record, example }) => {
    const sample = evalPrompt(record, example.where, sampleOptions);
    if (sample === undefined) return [];
    return [example.task === undefined ? sample : { ...sample, task: example.task }];
  });

  const { train: _train, eval: _eval, ...settings } = c;
  const fingerprint = sha256OfJson({
    train: loadedTrain.map((s, i) => ({
      files: s.fileHashes,
      format: s.format.id,
      weight: c.train[i].weight,
      task: c.train[i].task,
    })),
    eval: loadedEval.map((s, i) => ({
      files: s.fileHashes,
      format: s.format.id,
      task: c.eval?.[i].task,
    })),
    template: templatePrint.sha256,
    tokenizer: await tokenizerHash(tokenizer, deps.tokenizerDir),
    settings: { ...settings, template: template.id, bucket_lengths: bucketLengths },
  });

  const planOptions = {
    bucketLengths,
    packTo: c.packing ? c.max_length : undefined,
    padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0,
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
    eval:
      evalExamples.length === 0
        ? undefined
        : epochPlan(
            evalExamples.map((_, i) => i),
            evalExamples,
            { ...planOptions, batchSize: c.per_device_eval_batch_size },
          ),
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
      inputs: await dataInputs({ train: loadedTrain, eval: loadedEval }),
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
