import {
  eosIds,
  type GenerationConfig,
  type ResolvedGenerationConfig,
  resolveGenerationConfig,
  stopStrings,
} from '@tunekit/core';
import type { InferenceModel } from './inference-model.js';

/** Decoding settings with the ids and strings that end an answer spelled out as lists. */
export type DecodingConfig = Omit<ResolvedGenerationConfig, 'eos_token_id' | 'stop_strings'> & {
  readonly eos_token_id: number[];
  readonly stop_strings: string[];
};

/**
 * How an inference job decodes: `overrides` (transformers' keys) over the model's
 * generation_config.json over transformers' defaults, with every eos id (the tokenizer's too) and
 * the pad id (the tokenizer's where the file names none).
 */
export function decodingConfig(
  loaded: Pick<InferenceModel, 'generationConfig' | 'tokenizer'>,
  overrides: GenerationConfig,
): DecodingConfig {
  const { tokenizer } = loaded;
  const settings = resolveGenerationConfig(loaded.generationConfig, overrides);
  return {
    ...settings,
    eos_token_id: [...eosIds(settings, tokenizer)],
    pad_token_id: settings.pad_token_id ?? tokenizer.padTokenId,
    stop_strings: [...stopStrings(settings)],
  };
}
