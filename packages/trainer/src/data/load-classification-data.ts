import { parseOrThrow, seededRandom, UserError } from '@tunekit/core';
import { IGNORE_INDEX, templateFingerprint } from '@tunekit/templates';
import { defaultBucketLengths } from './batching/index.js';
import { ClassLabels } from './class-labels.js';
import { epochPlan } from './epoch-plan.js';
import type { Example } from './example.js';
import { sha256OfJson, tokenizerHash } from './fingerprint.js';
import type { LoadSftDataDeps } from './load-sft-data.js';
import { epochRandom, shuffle } from './seeded-order.js';
import type { SftData } from './sft-data.js';
import { type SftDataConfigInput, sftDataConfigSchema } from './sft-data-config.js';
import { splitEval } from './split-eval.js';
import { taskDataStats } from './task-data-stats.js';
import { templateFit } from './template-fit.js';
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
  const { tokenizer } = deps;
  const { baseDir, fit } = await templateFit(c, deps);
  const { template, context } = fit;
  const skipped: string[] = [];
  const truncated: string[] = [];
  const read = (source: (typeof c.train)[number]) =>
    readTextSource(source, { baseDir, skipInvalid: c.skip_invalid, skipped });
  const trainSources = await Promise.all(c.train.map(read));
  const evalSources = await Promise.all((c.eval ?? []).map(read));
  const labels = ClassLabels.of(
    config.id2label,
    trainSources.flatMap((s) => s.records.map((r) => r.fields.label)),
  );

  const toExamples = (source: TextSource) =>
    source.records.flatMap(({ where, fields }) => {
      try {
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
        return [{ example, text: typeof value === 'string' ? value : JSON.stringify(value) }];
      } catch (error) {
        if (!(error instanceof UserError) || !c.skip_invalid) throw error;
        skipped.push(error.message);
        return [];
      }
    });

  const trainExamples: Example[] = [];
  const held: { example: Example; text: string }[] = [];
  const splitRandom = seededRandom(c.seed);
  for (const [i, source] of trainSources.entries()) {
    let kept = toExamples(source);
    if (c.eval_split !== undefined) {
      const where = source.files.map((f) => f.path).join(', ');
      const parts = splitEval(
        kept.map((_, k) => k),
        c.eval_split,
        splitRandom,
        where,
      );
      held.push(...parts.eval.map((k) => kept[k]));
      kept = parts.train.map((k) => kept[k]);
    }
    if (c.train[i].weight !== 1)
      throw new UserError(
        `${source.files[0].path}: weight is not supported for classification data`,
      );
    trainExamples.push(...kept.map((k) => k.example));
  }
  for (const source of evalSources) held.push(...toExamples(source));
  if (trainExamples.length === 0) throw new UserError('no classification examples to train on');
  const evalExamples = held.map((h) => h.example);

  const bucketLengths = c.bucket_lengths ?? defaultBucketLengths(c.max_length);
  const planOptions = {
    bucketLengths,
    packTo: c.packing ? c.max_length : undefined,
    padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0,
  };
  const templatePrint = templateFingerprint(template, context);
  const { train: _t, eval: _e, ...settings } = c;
  const fingerprint = sha256OfJson({
    task: 'SEQ_CLS',
    train: trainSources.map((s) => s.fileHashes),
    eval: evalSources.map((s) => s.fileHashes),
    labels: labels.names,
    template: templatePrint.sha256,
    tokenizer: await tokenizerHash(tokenizer, deps.tokenizerDir),
    settings: { ...settings, template: template.id, bucket_lengths: bucketLengths },
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
    eval:
      evalExamples.length === 0
        ? undefined
        : epochPlan(
            evalExamples.map((_, i) => i),
            evalExamples,
            { ...planOptions, batchSize: c.per_device_eval_batch_size },
          ),
    evalPrompts: [],
    evalTasks: [],
    trainExamples,
    evalExamples,
    template: templatePrint,
    bucketLengths,
    stats: taskDataStats({
      format: 'classification',
      trainSources,
      evalSources,
      trainCount: trainExamples.length,
      evalCount: evalExamples.length,
      sourceCounts: trainSources.map((s) => s.records.length),
      weights: c.train.map((s) => s.weight),
      fingerprint,
      skipped,
      truncated,
      maxLength: c.max_length,
    }),
  };
}
