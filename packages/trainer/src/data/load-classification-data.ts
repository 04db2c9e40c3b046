import { parseOrThrow, UserError } from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';
import { ClassLabels } from './class-labels.js';
import { epochPlan, inOrderPlan } from './epoch-plan.js';
import type { Example } from './example.js';
import type { LoadSftDataDeps } from './load-sft-data.js';
import { readSources, splitSources, unlessInvalid } from './load-splits.js';
import { loaderSetup } from './loader-setup.js';
import { epochRandom, shuffle } from './seeded-order.js';
import type { SftData } from './sft-data.js';
import { type SftDataConfigInput, sftDataConfigSchema } from './sft-data-config.js';
import { taskDataStats } from './task-data-stats.js';
import { encodeText, readTextSource, recordText, type TextSource } from './text-records.js';

/** Classification data: SFT's batches with one label per example, and the label set. */
export interface ClassificationData extends SftData {
  readonly labels: ClassLabels;
  /** Each eval example's text as a person reads it (the report's samples). */
  readonly evalTexts: readonly string[];
}

/**
 * Loads sequence-classification records, `{"text": ..., "label": ...}` or `{"messages": [...],
 * "label": ...}` (a name or an id), for transformers' `*ForSequenceClassification` loss: each
 * example's label sits at its last token (the token the model pools, HF's last non-pad token) and
 * every other position is -100, so the batches, buckets and packing are SFT's own and each example
 * weighs one in the mean. The labels are `id2label`'s, else those of the training records.
 */
export async function loadClassificationData(
  config: SftDataConfigInput & { readonly id2label?: Readonly<Record<string, string>> },
  deps: LoadSftDataDeps,
): Promise<ClassificationData> {
  const c = parseOrThrow(sftDataConfigSchema, config, 'data config');
  const setup = await loaderSetup(c, deps);
  const { baseDir, fit, bucketLengths } = setup;
  const skipped: string[] = [];
  const truncated: string[] = [];
  const sources = await readSources(c, (source) =>
    readTextSource(source, { baseDir, skipInvalid: c.skip_invalid, skipped }),
  );
  const labels = ClassLabels.of(
    config.id2label,
    sources.train.flatMap((s) => s.records.map((r) => r.fields.label)),
  );

  const toExamples = (source: TextSource) =>
    source.records.flatMap(({ where, fields }) =>
      unlessInvalid({ skipInvalid: c.skip_invalid, skipped }, () => {
        const { field, value } = recordText(fields, where);
        const { ids, truncated: cut } = encodeText(value, where, field, fit);
        if (cut) truncated.push(where);
        const label = new Int32Array(ids.length).fill(IGNORE_INDEX);
        label[ids.length - 1] = labels.idOf(fields.label, where);
        const example: Example = {
          where,
          input_ids: Int32Array.from(ids),
          labels: label,
          supervisedTokens: 1,
        };
        return { example, text: typeof value === 'string' ? value : JSON.stringify(value) };
      }),
    );
  c.train.forEach((source, i) => {
    if (source.weight !== 1)
      throw new UserError(
        `${sources.train[i].files[0].path}: weight is not supported for classification data`,
      );
  });
  const split = splitSources(c, sources, toExamples);
  const trainExamples = split.train.flat().map((k) => k.example);
  const held = split.eval;
  if (trainExamples.length === 0) throw new UserError('no classification examples to train on');
  const evalExamples = held.map((h) => h.example);

  const planOptions = {
    bucketLengths,
    packTo: c.packing ? c.max_length : undefined,
    padTokenId: setup.padTokenId,
  };
  const fingerprint = await setup.fingerprint({
    task: 'SEQ_CLS',
    train: sources.train.map((s) => s.fileHashes),
    eval: sources.eval.map((s) => s.fileHashes),
    labels: labels.names,
    settings: setup.settings,
  });
  return {
    labels,
    evalTexts: held.map((h) => h.text),
    train(epoch) {
      const random = epochRandom(c.seed, epoch);
      const ids = shuffle(
        trainExamples.map((_, i) => i),
        random,
      );
      return epochPlan(ids, trainExamples, {
        ...planOptions,
        batchSize: c.per_device_train_batch_size,
        random,
      });
    },
    eval: inOrderPlan(evalExamples, { ...planOptions, batchSize: c.per_device_eval_batch_size }),
    evalPrompts: [],
    evalTasks: [],
    trainExamples,
    evalExamples,
    template: setup.template,
    bucketLengths,
    stats: taskDataStats(c, sources, {
      format: 'classification',
      trainCount: trainExamples.length,
      evalCount: evalExamples.length,
      fingerprint,
      skipped,
      truncated,
    }),
  };
}
