import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  atomicWrite,
  DEFAULT_ADAPTER,
  encodeSafetensors,
  HF_COMPANION_FILES,
  HF_WEIGHTS_FILE,
  HF_WEIGHTS_INDEX_FILE,
  type PeftModel,
  readHfConfig,
  readOptionalJsonObject,
  TASK_HEADS_FILE,
  type TaskModel,
  TOKENIZER_CONFIG_FILE,
  takeExtraHeads,
  writeModelFolder,
} from '@tunekit/core';
import { type TemplateFingerprint, withChatTemplate } from '@tunekit/templates';

const ADAPTER_FILES = ['adapter_config.json', 'adapter_model.safetensors'] as const;

/** The files that say what `saveTrained` saved: the adapter's, or the full model's weights. */
export const SAVED_FILES = [...ADAPTER_FILES, HF_WEIGHTS_FILE, HF_WEIGHTS_INDEX_FILE];

export interface SaveTrainedOptions {
  readonly dir: string;
  readonly model: TaskModel;
  /** The adapter to save; absent: the whole model (full fine-tuning). */
  readonly peft?: PeftModel;
  /** The base model folder: its config, tokenizer and generation files. */
  readonly baseFolder: string;
  /** `base_model_name_or_path` of the adapter: the model as the config named it. */
  readonly baseModel: string;
  /** The template the data was rendered with. */
  readonly template: TemplateFingerprint;
}

/**
 * Saves what training made into `dir`, as Hugging Face tools save it: the adapter in PEFT's format
 * (adapter_config.json, adapter_model.safetensors) or a full model folder, with the base's tokenizer
 * and generation files and a tokenizer_config.json whose chat_template is the one trained with, so
 * inference anywhere formats prompts the same way. Returns the names of the files written.
 */
export async function saveTrained(opts: SaveTrainedOptions): Promise<string[]> {
  const { dir, baseFolder } = opts;
  const tokenizerConfig = withChatTemplate(
    (await readOptionalJsonObject(join(baseFolder, TOKENIZER_CONFIG_FILE))) ?? {},
    opts.template,
  );
  const tokenizerConfigText = `${JSON.stringify(tokenizerConfig, null, 2)}\n`;
  if (!opts.peft) {
    // a multi-head model's extra heads go beside the causal LM, as `tunekit merge` writes them
    const weights = opts.model.stateDict();
    const heads = takeExtraHeads(opts.model, weights);
    return writeModelFolder(dir, {
      config: await readHfConfig(baseFolder),
      weights,
      copyFrom: baseFolder,
      extraFiles: {
        [TOKENIZER_CONFIG_FILE]: tokenizerConfigText,
        ...(heads.size > 0 && { [TASK_HEADS_FILE]: encodeSafetensors(heads) }),
      },
    });
  }
  await opts.peft.save(dir, { baseModelNameOrPath: opts.baseModel });
  // the other adapters of a composition, each in a folder of its name as PEFT saves them
  const others = opts.peft.adapterNames().filter((name) => name !== DEFAULT_ADAPTER);
  const written: string[] = [...ADAPTER_FILES, ...others.map((name) => `${name}/`)];
  for (const name of HF_COMPANION_FILES) {
    const content =
      name === TOKENIZER_CONFIG_FILE
        ? tokenizerConfigText
        : await readIfPresent(join(baseFolder, name));
    if (content === undefined) continue;
    await atomicWrite(join(dir, name), content);
    written.push(name);
  }
  return written;
}

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
