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
  resolveAllOf,
  TOKENIZER_FILE,
  TOKENS,
  Tokenizer,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
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
  source: { readonly model: string; readonly adapter?: string },
  nonFinite: NonFiniteOptions = {},
): Promise<InferenceModel> {
  const folder = await resolveModelFolder(source.model, process.cwd());
  const { adapter } = source;
  const record = await readTrainingRecord(adapter ?? folder);
  // an adapter trained on a base quantized as it loaded runs on the base quantized alike
  const { model } = await loadCausalLM(folder, {
    families: container,
    ...nonFinite,
    quantize: quantizeOnLoad(container, record?.quantization_config),
  });
  if (adapter !== undefined) {
    const modelType = (await readHfConfig(folder)).model_type;
    // every adapter saved there: a composition (LoRA with a prefix) was saved as several
    const peft = await PeftModel.fromPretrainedAll(model, adapter, {
      ...nonFinite,
      methods: resolveAllOf(container, TOKENS.PeftMethod),
      dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
      modelType: typeof modelType === 'string' ? modelType : undefined,
    });
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
  };
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
