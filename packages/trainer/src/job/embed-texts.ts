import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadEmbeddingModel,
  type NonFiniteOptions,
  PeftModel,
  readHfConfig,
  resolveAllOf,
  TOKENIZER_FILE,
  TOKENS,
  Tokenizer,
  UserError,
} from '@tunekit/core';
import { contextFromTokenizer, resolveChatTemplate } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import {
  defaultBucketLengths,
  encodeText,
  type PoolingMode,
  pooledExample,
  readTextSource,
  recordText,
} from '../data/index.js';
import { Embedder } from '../eval/index.js';
import { type BackendChoice, openInferenceBackend } from './inference-backend.js';
import { resolveModelFolder } from './model-folder.js';
import { readTrainingRecord } from './training-record.js';

/** What `embedTexts` embeds, with what (the flags of `tunekit embed`). */
export interface EmbedTextsOptions extends NonFiniteOptions, BackendChoice {
  readonly container: DependencyContainer;
  /** The base model (folder or hub id); default the adapter's training record's base model. */
  readonly model?: string;
  /** A FEATURE_EXTRACTION adapter folder applied on top. */
  readonly adapter?: string;
  /** A JSONL or JSON file of `{"text": ...}` (or `{"messages": [...]}`) records. */
  readonly file: string;
  /** Default: the training record's `pooling_mode`, else mean. */
  readonly poolingMode?: PoolingMode;
  /** Texts are cut to this many tokens; default the record's max_length, else the model's positions. */
  readonly maxLength?: number;
  readonly batchSize?: number;
}

/** The embeddings of a file's texts, in file order, each of unit length. */
export interface EmbeddedTexts {
  readonly texts: readonly string[];
  readonly vectors: readonly Float32Array[];
  readonly dimension: number;
}

/**
 * Embeds every record of a file with a model (an `AutoModel`, its LM head left out) and optionally
 * a FEATURE_EXTRACTION adapter: each text is tokenised as in training, pooled as the adapter was
 * trained (mean or last token) and normalised (`tunekit embed`).
 *
 * @example
 * const { vectors } = await embedTexts({ container, adapter: 'runs/embed', file: 'texts.jsonl' });
 */
export async function embedTexts(options: EmbedTextsOptions): Promise<EmbeddedTexts> {
  const { container, adapter } = options;
  const record = adapter === undefined ? undefined : await readTrainingRecord(adapter);
  const model = options.model ?? record?.base_model_folder;
  if (model === undefined)
    throw new UserError('embed: name the model (--model), or an adapter with a training record');
  const folder = await resolveModelFolder(model, process.cwd());
  const nonFinite = { allowNonfinite: options.allowNonfinite, warn: options.warn };
  const { model: encoder } = await loadEmbeddingModel(folder, {
    families: container,
    ...nonFinite,
  });
  if (adapter !== undefined) {
    const modelType = (await readHfConfig(folder)).model_type;
    const peft = await PeftModel.fromPretrained(encoder, adapter, {
      ...nonFinite,
      methods: resolveAllOf(container, TOKENS.PeftMethod),
      dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
      modelType: typeof modelType === 'string' ? modelType : undefined,
    });
    if (peft.config().task_type !== 'FEATURE_EXTRACTION')
      throw new UserError(
        `${adapter}: the adapter's task_type is ${peft.config().task_type}; embed takes a FEATURE_EXTRACTION adapter`,
      );
    peft.train(false);
  }
  const tokenizerDir =
    adapter !== undefined && existsSync(join(adapter, TOKENIZER_FILE)) ? adapter : folder;
  const tokenizer = await Tokenizer.fromFolder(tokenizerDir);
  const trained = record?.config as
    | { pooling_mode?: PoolingMode; max_length?: number; per_device_eval_batch_size?: number }
    | undefined;
  const pooling = options.poolingMode ?? trained?.pooling_mode ?? 'mean';
  const maxLength = options.maxLength ?? trained?.max_length ?? encoder.shape.maxPositions;
  const template = await resolveChatTemplate(
    container,
    record?.template.id ?? (tokenizer.chatTemplate !== undefined ? 'jinja' : 'chatml'),
    process.cwd(),
  );
  const fit = {
    template,
    tokenizer,
    context: contextFromTokenizer(tokenizer),
    lossPolicy: 'all' as const,
    maxLength,
  };
  const source = await readTextSource(
    { path: options.file, weight: 1 },
    { baseDir: process.cwd(), skipInvalid: false, skipped: [] },
  );
  const texts: string[] = [];
  const examples = source.records.map(({ where, fields }) => {
    const { field, value } = recordText(fields, where);
    texts.push(typeof value === 'string' ? value : JSON.stringify(value));
    return pooledExample(where, encodeText(value, where, field, fit).ids, pooling);
  });
  const backend = await openInferenceBackend(container, options, record);
  const embedder = new Embedder(encoder, backend, {
    batchSize: options.batchSize ?? trained?.per_device_eval_batch_size ?? 8,
    bucketLengths: defaultBucketLengths(maxLength),
    padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0,
  });
  try {
    const vectors = await embedder.embed(examples);
    return { texts, vectors, dimension: vectors[0]?.length ?? 0 };
  } finally {
    embedder.dispose();
    await backend.dispose();
  }
}
