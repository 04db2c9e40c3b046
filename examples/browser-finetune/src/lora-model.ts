import {
  type CausalLM,
  type FolderInput,
  type GenerationConfig,
  loadCausalLM,
  PeftModel,
  readGenerationConfigFile,
  Tokenizer,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';

/** The LoRA settings of examples/quickstart.yaml (PEFT's LoraConfig fields). */
export const LORA_CONFIG = {
  r: 8,
  lora_alpha: 16,
  lora_dropout: 0,
  target_modules: 'all-linear',
} as const;

/** A model folder with a fresh LoRA adapter: what the page trains, chats with and saves. */
export interface LoraModel {
  readonly peft: PeftModel<CausalLM>;
  readonly tokenizer: Tokenizer;
  readonly generation: GenerationConfig;
}

/**
 * Loads a Hugging Face model folder (a URL in a page, a path in Node, or the files a user dropped)
 * and wraps it with a LoRA adapter as `tunekit train` would.
 */
export async function loadLoraModel(folder: FolderInput, seed: number): Promise<LoraModel> {
  const { model, config } = await loadCausalLM(folder);
  const [tokenizer, generation] = await Promise.all([
    Tokenizer.fromFolder(folder),
    readGenerationConfigFile(folder),
  ]);
  const peft = PeftModel.create(model, loraMethod, LORA_CONFIG, {
    methods: [loraMethod],
    dispatchers: [denseLinearDispatcher],
    modelType: String(config.model_type),
    modelConfig: config,
    seed,
  });
  return { peft, tokenizer, generation: generation ?? {} };
}
