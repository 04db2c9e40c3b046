import { peftConfigFields } from '@tunekit/core';
import { z } from 'zod';

const size = (help: string) =>
  z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .nullable()
    .default(null)
    .describe(help);

/**
 * The fields of PEFT's `PromptLearningConfig` (peft/config.py), with its defaults: the sizes left
 * null are filled from the model's `config.json` when the adapter is added (PEFT's
 * `_prepare_prompt_learning_config`), so a saved config has them all.
 */
export const promptLearningConfigFields = {
  ...peftConfigFields,
  num_virtual_tokens: size('Number of virtual tokens.'),
  token_dim: size('The hidden embedding dimension of the base transformer model.'),
  num_transformer_submodules: z
    .literal(1, { error: 'tunekit trains decoder-only models, which have 1 transformer submodule' })
    .nullable()
    .default(null)
    .describe(
      'Number of transformer submodules: 1 for a decoder-only model (2 for encoder-decoder).',
    ),
  num_attention_heads: size('Number of attention heads.'),
  num_layers: size('Number of transformer layers.'),
  modules_to_save: z
    .null({ error: 'tunekit does not support modules_to_save with prompt learning; expected null' })
    .default(null)
    .describe("PEFT's extra fully trained modules; accepted only as null (off)."),
};

const promptLearningBase = z.object(promptLearningConfigFields);
export type PromptLearningConfig = z.output<typeof promptLearningBase>;

/** A prompt-learning config as applied to a model: every size known. */
export type AppliedPromptLearning<C extends PromptLearningConfig> = C & {
  readonly num_virtual_tokens: number;
  readonly token_dim: number;
  readonly num_transformer_submodules: 1;
  readonly num_attention_heads: number;
  readonly num_layers: number;
};
