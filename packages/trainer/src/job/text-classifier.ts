import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadSequenceClassifier,
  type NonFiniteOptions,
  PeftModel,
  readHfConfig,
  readOptionalJsonObject,
  resolveAllOf,
  TOKENIZER_FILE,
  TOKENS,
  Tokenizer,
  UserError,
} from '@tunekit/core';
import { contextFromTokenizer, IGNORE_INDEX, resolveChatTemplate } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import {
  bucketFor,
  collate,
  defaultBucketLengths,
  type Example,
  encodeText,
} from '../data/index.js';
import { ClassificationEvaluator } from '../eval/index.js';
import { type BackendChoice, openInferenceBackend } from './inference-backend.js';
import { resolveModelFolder } from './model-folder.js';
import { readTrainingRecord } from './training-record.js';

/** What `openTextClassifier` loads: a SEQ_CLS adapter, on the base it was trained on. */
export interface TextClassifierOptions extends NonFiniteOptions, BackendChoice {
  readonly container: DependencyContainer;
  /** A SEQ_CLS adapter folder that `tunekit train` saved (its training record names the labels). */
  readonly adapter: string;
  /** The base model; default the training record's. */
  readonly model?: string;
  /** Texts scored together; default the record's per_device_eval_batch_size, else 8. */
  readonly batchSize?: number;
}

/** One text's class: its label's name and the softmax probability of each label, by name. */
export interface TextClass {
  readonly label: string;
  readonly probabilities: Readonly<Record<string, number>>;
}

/** A loaded classifier: its labels (id2label's order) and batched classification. */
export interface TextClassifier {
  readonly labels: readonly string[];
  classify(texts: readonly string[]): Promise<TextClass[]>;
  dispose(): Promise<void>;
}

/**
 * Loads a SEQ_CLS adapter (transformers' *ForSequenceClassification with PEFT's `score` head) for
 * inference: texts are tokenised as its training tokenised `text` records, cut to its max_length,
 * and scored in batches at their last token, as the head was trained.
 */
export async function openTextClassifier(options: TextClassifierOptions): Promise<TextClassifier> {
  const { container, adapter } = options;
  const adapterConfig = await readOptionalJsonObject(join(adapter, 'adapter_config.json'));
  if (adapterConfig === undefined)
    throw new UserError(`${adapter}: no adapter_config.json; expected a SEQ_CLS adapter folder`);
  if (adapterConfig.task_type !== 'SEQ_CLS')
    throw new UserError(
      `${adapter}: the adapter's task_type is ${adapterConfig.task_type ?? 'CAUSAL_LM'}; a classifier is a SEQ_CLS adapter`,
    );
  const record = await readTrainingRecord(adapter);
  if (record?.id2label === undefined)
    throw new UserError(
      `${adapter}: no labels (id2label) in training_record.json; train the classifier with tunekit train`,
    );
  const labels = Object.keys(record.id2label)
    .sort((a, b) => Number(a) - Number(b))
    .map((id) => record.id2label?.[id] ?? id);
  const folder = await resolveModelFolder(options.model ?? record.base_model_folder, process.cwd());
  const nonFinite = { allowNonfinite: options.allowNonfinite, warn: options.warn };
  const { model } = await loadSequenceClassifier(folder, {
    families: container,
    numLabels: labels.length,
    ...nonFinite,
  });
  const modelType = (await readHfConfig(folder)).model_type;
  const peft = await PeftModel.fromPretrained(model, adapter, {
    ...nonFinite,
    methods: resolveAllOf(container, TOKENS.PeftMethod),
    dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
    modelType: typeof modelType === 'string' ? modelType : undefined,
  });
  peft.train(false);
  const tokenizer = await Tokenizer.fromFolder(
    existsSync(join(adapter, TOKENIZER_FILE)) ? adapter : folder,
  );
  const trained = record.config as { max_length?: number; per_device_eval_batch_size?: number };
  const maxLength = trained.max_length ?? model.shape.maxPositions;
  const fit = {
    template: await resolveChatTemplate(container, record.template.id, process.cwd()),
    tokenizer,
    context: contextFromTokenizer(tokenizer),
    lossPolicy: 'all' as const,
    maxLength,
  };
  const batchSize = options.batchSize ?? trained.per_device_eval_batch_size ?? 8;
  const bucketLengths = defaultBucketLengths(maxLength);
  const padTokenId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
  const backend = await openInferenceBackend(container, options, record);
  const evaluator = new ClassificationEvaluator(model, backend, labels.length);
  return {
    labels,
    async classify(texts) {
      const examples = texts.map((text, i): Example => {
        const encoded = encodeText(text, `text ${i + 1}`, 'text', fit).ids;
        // an empty text (an empty answer) is read as the pad token alone
        const ids = encoded.length > 0 ? encoded : [padTokenId];
        // the label marks the position the head reads (the last token); its value is not used
        const marks = new Int32Array(ids.length).fill(IGNORE_INDEX);
        marks[ids.length - 1] = 0;
        return {
          where: `text ${i + 1}`,
          input_ids: Int32Array.from(ids),
          labels: marks,
          supervisedTokens: 1,
        };
      });
      const batches = [];
      for (let start = 0; start < examples.length; start += batchSize) {
        const rows = examples.map((_, i) => [i]).slice(start, start + batchSize);
        const length = bucketFor(
          Math.max(...rows.map(([i]) => examples[i].input_ids.length)),
          bucketLengths,
        );
        batches.push(collate({ rows, length }, examples, { batchSize, padTokenId, packed: false }));
      }
      // padding rows carry no label, so the predictions come back one per text, in order
      const { probabilities } = await evaluator.run(batches);
      return probabilities.map((p) => ({
        label: labels[p.indexOf(Math.max(...p))],
        probabilities: Object.fromEntries(labels.map((name, k) => [name, p[k]])),
      }));
    },
    async dispose() {
      evaluator.dispose();
      await backend.dispose();
    },
  };
}
