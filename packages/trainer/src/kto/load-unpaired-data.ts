import { type PreferenceRecord, seededRandom, UserError } from '@tunekit/core';
import {
  DataTally,
  dataInputs,
  epochRandom,
  type LoadSftDataDeps,
  loaderSetup,
  readDataSources,
  type SftDataConfig,
  shuffle,
  splitSources,
  type UnpairedPreferenceRecord,
  unlessInvalid,
} from '../data/index.js';
import { fitAnswers, type ReferencedData, tokenizeAnswer } from '../dpo/index.js';
import { type KtoSettings, weightAdvice } from './kto-config.js';
import { klPartners, type UnpairedExample, unpairedPlan } from './unpaired-batches.js';

/**
 * Tokenised, split and batched unpaired examples: the training examples in fixed groups (one per
 * batch, `trainInOrder` group by group), the groups' order shuffled per epoch.
 */
export interface UnpairedData extends ReferencedData {
  readonly trainExamples: readonly UnpairedExample[];
  readonly evalExamples: readonly UnpairedExample[];
}

/**
 * Loads the data of a KTO run: unpaired records (prompt, completion, label) and preference pairs,
 * each pair unpaired as TRL's `unpair_preference_dataset` does (its chosen answer a desirable
 * example, its rejected one an undesirable example); renders and tokenises each prompt and answer
 * through the chat template with TRL's truncation, holds out the eval split, shuffles the
 * training examples once and groups them into batches, each example's KL row taking the answer of
 * the one before it in its group (TRL's KL dataset).
 */
export async function loadUnpairedData(
  c: SftDataConfig,
  kto: Pick<
    KtoSettings,
    'max_prompt_length' | 'max_completion_length' | 'desirable_weight' | 'undesirable_weight'
  >,
  deps: LoadSftDataDeps,
): Promise<UnpairedData> {
  const setup = await loaderSetup(c, deps);
  const { lossPolicy: _, ...shared } = setup.fit;
  const lengths = {
    max_prompt_length: kto.max_prompt_length,
    max_completion_length: kto.max_completion_length,
  };
  const fit = { ...shared, ...lengths };
  const tally = new DataTally();
  const sources = await readDataSources(c, {
    container: deps.container,
    task: ['unpaired_preference', 'preference'],
    baseDir: setup.baseDir,
    skipped: tally.skipped,
  });
  c.train.forEach((source, i) => {
    if (source.weight !== 1)
      throw new UserError(
        `${sources.train[i].files[0].path}: weight is not supported for KTO data (each example counts once)`,
      );
  });
  const tokenize = (record: UnpairedPreferenceRecord, where: string): UnpairedExample => {
    const answer = tokenizeAnswer(record, record.completion, where, 'completion', fit);
    const fitted = fitAnswers(answer.prompt, [answer], fit);
    if (fitted.truncated) tally.truncated.push(where);
    return {
      where,
      prompt: fitted.prompt,
      completion: fitted.answers[0],
      desirable: record.label,
      truncated: fitted.truncated,
    };
  };
  const split = splitSources(c, sources, (loaded) =>
    loaded.records.flatMap(({ where, record }) =>
      unpaired(record as UnpairedPreferenceRecord | PreferenceRecord).flatMap((r) =>
        unlessInvalid({ skipInvalid: c.skip_invalid, skipped: tally.skipped }, () =>
          tokenize(r, where),
        ),
      ),
    ),
  );
  const trainExamples = split.train.flat();
  const evalExamples = split.eval;
  if (trainExamples.length === 0)
    throw new UserError(
      `no training examples are left (${tally.skipped.length} invalid records skipped); the first skipped: ${tally.skipped[0] ?? 'none'}`,
    );

  const trainSize = c.per_device_train_batch_size;
  const evalSize = c.per_device_eval_batch_size;
  // one shuffle, then fixed groups: a precomputed reference log-prob of a KL row stays valid
  const order = shuffle(
    trainExamples.map((_, i) => i),
    seededRandom(c.seed),
  );
  const trainGroups = groupsOf(order, trainSize);
  const trainPartner = klPartners(order, trainSize, trainExamples.length);
  const evalOrder = evalExamples.map((_, i) => i);
  const evalGroups = groupsOf(evalOrder, evalSize);
  const evalPartner = klPartners(evalOrder, evalSize, evalExamples.length);
  const plan = {
    bucketLengths: setup.bucketLengths,
    padTokenId: setup.padTokenId,
    maxLength: c.max_length,
  };
  const fingerprint = await setup.fingerprint({
    train: sources.train.map((s) => ({ files: s.fileHashes, format: s.format.id })),
    eval: sources.eval.map((s) => ({ files: s.fileHashes, format: s.format.id })),
    settings: { task: 'unpaired_preference', ...lengths, ...setup.settings },
  });
  const desirable = trainExamples.filter((e) => e.desirable).length;
  return {
    train: (epoch, reference) =>
      unpairedPlan(
        shuffle([...trainGroups], epochRandom(c.seed, epoch)),
        trainExamples,
        trainPartner,
        {
          ...plan,
          batchSize: trainSize,
          reference,
        },
      ),
    trainInOrder: () =>
      unpairedPlan(trainGroups, trainExamples, trainPartner, { ...plan, batchSize: trainSize }),
    eval: (reference) =>
      evalExamples.length === 0
        ? undefined
        : unpairedPlan(evalGroups, evalExamples, evalPartner, {
            ...plan,
            batchSize: evalSize,
            reference,
          }),
    trainExamples,
    evalExamples,
    template: setup.template,
    stats: {
      examples: trainExamples.length,
      evalExamples: evalExamples.length,
      skipped: tally.skipped.length,
      truncated: tally.truncated.length,
      duplicates: 0,
      unsupervised: 0,
      supervisedTokens: trainExamples.reduce(
        (n, e) => n + e.completion.labels.filter((l) => l >= 0).length,
        0,
      ),
      examplesPerEpoch: trainExamples.length,
      fingerprint,
      sources: sources.train.map((loaded, i) => ({
        files: loaded.files.map((file) => file.path),
        format: loaded.format.id,
        weight: 1,
        examples: split.train[i].length,
      })),
      inputs: await dataInputs(sources),
      warnings: [
        ...tally.warnings(c.max_length),
        ...[weightAdvice(desirable, trainExamples.length - desirable, kto) ?? []].flat(),
      ],
    },
  };
}

/** TRL's `unpair_preference_dataset`: a pair as its desirable and its undesirable example. */
function unpaired(record: UnpairedPreferenceRecord | PreferenceRecord): UnpairedPreferenceRecord[] {
  if ('label' in record) return [record];
  const { chosen, rejected, ...prompt } = record;
  return [
    { ...prompt, completion: chosen, label: true },
    { ...prompt, completion: rejected, label: false },
  ];
}

function groupsOf(ids: readonly number[], size: number): number[][] {
  const groups: number[][] = [];
  for (let start = 0; start < ids.length; start += size)
    groups.push(ids.slice(start, start + size));
  return groups;
}
