import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CausalLM,
  type GenerationConfig,
  loadCausalLM,
  type NonFiniteOptions,
  PeftModel,
  readGenerationConfigFile,
  readHfConfig,
  readOptionalJsonObject,
  resolveAllOf,
  TOKENIZER_FILE,
  TOKENS,
  Tokenizer,
  UserError,
  withAdapterHeads,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { CLASSIFICATION_REPORT_FILE } from './classification-job.js';
import { resolveModelFolder } from './model-folder.js';
import { quantizeOnLoad } from './quantize-on-load.js';
import { readTrainingRecord, type TrainingRecord } from './training-record.js';

/** A model ready for inference (`loadInferenceModel`), with its tokenizer and settings. */
export interface InferenceModel {
  readonly model: CausalLM;
  readonly tokenizer: Tokenizer;
  /** Where the tokenizer files were read: the adapter's folder when it carries them. */
  readonly tokenizerDir: string;
  /** The base model folder's generation_config.json, if any. */
  readonly generationConfig: GenerationConfig;
  /** The training record of the adapter (or of a model `tunekit train` saved), if any. */
  readonly record?: TrainingRecord;
  /** The adapters on the model, when there are any. */
  readonly peft?: PeftModel;
}

/** What `loadInferenceModel` loads: a model, with one adapter folder or several named ones. */
export interface InferenceSource {
  readonly model: string;
  /** A PEFT adapter folder (with the adapters saved beside it in sub-folders, all active). */
  readonly adapter?: string;
  /**
   * Adapters by name (folders), loaded side by side for a router to switch between: the first is
   * active; its tokenizer and training record stand for all. Not with `adapter`.
   */
  readonly adapters?: Readonly<Record<string, string>>;
}

/**
 * A model folder or hub id (a relative folder from the working directory) with an optional PEFT
 * adapter folder on top (with the adapters saved beside it in sub-folders, all active), frozen, for inference: evaluation, chat, generation. An adapter saved by
 * `trainFromConfig` carries the tokenizer with the chat template it was trained with; its
 * tokenizer is used then, else the base model's. A record's `quantization_config` (an adapter
 * trained with `load_in_4bit`) quantizes the base as in training.
 */
export async function loadInferenceModel(
  container: DependencyContainer,
  source: InferenceSource,
  nonFinite: NonFiniteOptions = {},
): Promise<InferenceModel> {
  const folder = await resolveModelFolder(source.model, process.cwd());
  const named = Object.entries(source.adapters ?? {});
  if (source.adapter !== undefined && named.length > 0)
    throw new UserError('give one adapter folder, or several named ones for a router, not both');
  const adapter = source.adapter ?? named[0]?.[1];
  const record = await readTrainingRecord(adapter ?? folder);
  // an adapter trained on a base quantized as it loaded runs on the base quantized alike
  const loaded = await loadCausalLM(folder, {
    families: container,
    ...nonFinite,
    quantize: quantizeOnLoad(container, record?.quantization_config),
  });
  // a multi-head adapter's heads (modules_to_save) go on the model it loads onto; its LM head runs
  const model =
    adapter === undefined
      ? loaded.model
      : await withAdapterHeads(loaded.model, loaded.config, adapter);
  let peft: PeftModel | undefined;
  if (adapter !== undefined) {
    await refuseTaskHead(adapter);
    const modelType = (await readHfConfig(folder)).model_type;
    const options = {
      ...nonFinite,
      methods: resolveAllOf(container, TOKENS.PeftMethod),
      dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
      modelType: typeof modelType === 'string' ? modelType : undefined,
    };
    if (named.length > 0) {
      const [[first], ...others] = named;
      peft = await PeftModel.fromPretrained(model, adapter, { ...options, adapterName: first });
      for (const [name, dir] of others) await peft.loadAdapter(dir, name, nonFinite);
    } else {
      // every adapter saved there: a composition (LoRA with a prefix) was saved as several
      peft = await PeftModel.fromPretrainedAll(model, adapter, options);
    }
    peft.train(false);
  }
  const tokenizerDir =
    adapter !== undefined && existsSync(join(adapter, TOKENIZER_FILE)) ? adapter : folder;
  return {
    model,
    tokenizer: await Tokenizer.fromFolder(tokenizerDir),
    tokenizerDir,
    generationConfig: (await readGenerationConfigFile(folder)) ?? {},
    record,
    peft,
  };
}

/** Generation, chat and evaluation run causal LMs; a task head's adapter is named as what it is. */
async function refuseTaskHead(adapter: string): Promise<void> {
  const config = await readOptionalJsonObject(join(adapter, 'adapter_config.json'));
  const taskType = config?.task_type;
  if (taskType === 'SEQ_CLS')
    throw new UserError(
      `${adapter}: a SEQ_CLS adapter classifies and does not generate; its eval metrics are in ${CLASSIFICATION_REPORT_FILE} and training_record.json beside it, and tunekit merge writes it as a *ForSequenceClassification model`,
    );
  if (taskType === 'FEATURE_EXTRACTION')
    throw new UserError(
      `${adapter}: a FEATURE_EXTRACTION adapter makes embeddings and does not generate; run tunekit embed --adapter ${adapter} <file>`,
    );
}

/**
 * The chat template setting to render with, for the templates package's resolveChatTemplate (an
 * id or a template file): the one named, else the one the record says the model was trained with,
 * else the tokenizer's own (`jinja`) when it has one, else ChatML.
 */
export function templateSetting(
  loaded: Pick<InferenceModel, 'tokenizer' | 'record'>,
  named?: string,
): string {
  return (
    named ??
    loaded.record?.template.id ??
    (loaded.tokenizer.chatTemplate !== undefined ? 'jinja' : 'chatml')
  );
}
