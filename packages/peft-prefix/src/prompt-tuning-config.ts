import { z } from 'zod';
import { promptLearningConfigFields } from './prompt-learning-config.js';

/** PEFT's `PromptTuningInit`. */
export const PROMPT_TUNING_INITS = ['TEXT', 'SAMPLE_VOCAB', 'RANDOM'] as const;

/**
 * `PromptTuningConfig` with PEFT's field names, defaults and checks
 * (peft/tuners/prompt_tuning/config.py). Unknown fields are an error.
 */
export const promptTuningConfigSchema = z
  .strictObject({
    ...promptLearningConfigFields,
    prompt_tuning_init: z
      .enum(PROMPT_TUNING_INITS)
      .default('RANDOM')
      .describe(
        "How the virtual tokens start: TEXT the embeddings of prompt_tuning_init_text's tokens, " +
          "SAMPLE_VOCAB those of tokens drawn from the vocabulary, RANDOM normal with std 1 (torch.nn.Embedding's init).",
      ),
    prompt_tuning_init_text: z
      .string()
      .nullable()
      .default(null)
      .describe('The text whose tokens start the virtual tokens (TEXT), repeated or cut to fit.'),
    tokenizer_name_or_path: z
      .string()
      .nullable()
      .default(null)
      .describe(
        "The tokenizer of the TEXT init, as PEFT records it; tunekit tokenizes with the model's own tokenizer.",
      ),
    tokenizer_kwargs: z
      .null({ error: "tunekit tokenizes with the model's tokenizer; expected null" })
      .default(null)
      .describe("PEFT's arguments to AutoTokenizer.from_pretrained; accepted only as null."),
  })
  .superRefine((config, ctx) => {
    // the checks of PEFT's PromptTuningConfig.__post_init__
    if (config.prompt_tuning_init !== 'TEXT') return;
    if (!config.tokenizer_name_or_path)
      ctx.addIssue({
        code: 'custom',
        path: ['tokenizer_name_or_path'],
        message: "required when prompt_tuning_init is 'TEXT'",
      });
    if (config.prompt_tuning_init_text === null)
      ctx.addIssue({
        code: 'custom',
        path: ['prompt_tuning_init_text'],
        message: "required when prompt_tuning_init is 'TEXT'",
      });
  });

export type PromptTuningConfig = z.output<typeof promptTuningConfigSchema>;
