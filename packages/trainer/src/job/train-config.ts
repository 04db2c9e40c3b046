import { bitsAndBytesFields, parseOrThrow } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { POOLING_MODES, refineSftData, sftDataFields } from '../data/index.js';
import { dpoFields, refineDpo, withDefaultLossType } from '../dpo/index.js';
import { DEFAULT_EVAL_MAX_NEW_TOKENS } from '../eval/index.js';
import { ktoFields } from '../kto/index.js';
import { trainingArgumentsSchema } from '../train/index.js';
import { adaptersSectionSchema } from './adapters-section.js';
import { backendOptionsField, checkBackendOptions } from './backend-section.js';
import { refineHeads } from './multi-head-config.js';
import { peftSectionSchema } from './peft-section.js';

/** How evaluations generate answers for exact match, BLEU and ROUGE (always greedy). */
export const generationSchema = z
  .strictObject({
    num_samples: z
      .int()
      .nonnegative()
      .default(16)
      .describe(
        'eval prompts answered at each evaluation (the first ones, so every evaluation sees the same) for exact match, BLEU, ROUGE and the report’s samples; 0: none',
      ),
    max_new_tokens: z
      .int()
      .positive()
      .default(DEFAULT_EVAL_MAX_NEW_TOKENS)
      .describe('most tokens generated per answer'),
    stop_strings: z
      .array(z.string().min(1))
      .optional()
      .describe('an answer also ends where its text contains one of these'),
  })
  .prefault({});

/** The `generation:` section once validated. */
export type GenerationSettings = z.output<typeof generationSchema>;

/**
 * The schema of a training job's config (a `tunekit train` file): one flat mapping, as TRL's config files are. The
 * model, backend, plugins and `peft:` section; the data keys of `@tunekit/trainer`'s sftDataFields;
 * every TrainingArguments key under its transformers name; and `generation:` for evaluation. The
 * container resolves the PEFT method named under `peft:`, whose own schema checks its fields.
 * Unknown keys are errors.
 */
export function trainConfigSchema(container: DependencyContainer) {
  return z
    .strictObject({
      model: z
        .string()
        .min(1)
        .describe(
          'the base model: a Hugging Face folder (relative to this file) or a Hub id such as HuggingFaceTB/SmolLM2-135M-Instruct',
        ),
      backend: z
        .string()
        .min(1)
        .optional()
        .describe(
          'the backend by id (onnx, reference, or a plugin’s); default the best available; eval, chat, generate and embed of the run use it again unless --backend names another',
        ),
      backend_options: backendOptionsField,
      backend_cache_dir: z
        .union([z.string().min(1), z.literal(false)])
        .optional()
        .describe(
          'where the backend keeps compiled sessions so that the next start of the same job skips compiling (onnx: optimized models, in onnx-sessions/); relative to the working directory; false: none; default $TUNEKIT_CACHE_DIR, else ~/.cache/tunekit (--backend-cache-dir, --no-backend-cache)',
        ),
      plugins: z
        .array(z.string().min(1))
        .default([])
        .describe(
          'packages to load besides the installed first-party ones (a PEFT method, a callback): names or paths, found from this file’s folder, then the working directory',
        ),
      allow_nonfinite: z
        .boolean()
        .default(false)
        .describe(
          'load model weights holding NaN or Inf with a warning; by default they are an error (--allow-nonfinite sets it)',
        ),
      peft: peftSectionSchema(container)
        .optional()
        .describe(
          'the PEFT method and its config ({ method: lora, r: 8, ... }); absent: full fine-tuning',
        ),
      adapters: adaptersSectionSchema(container)
        .optional()
        .describe(
          'more adapters beside peft:’s, by name, all active together (LoRA with prefix tuning): a PEFT method’s config, trained along, or { path, is_trainable } to load a saved one; saved in output_dir/<name>',
        ),
      adapter: z
        .enum(['lora', 'qlora'])
        .optional()
        .describe(
          'axolotl’s adapter key: lora, or qlora (LoRA on a base quantized to 4 bits, load_in_4bit: true); the peft: section holds the LoRA settings',
        ),
      id2label: z
        .record(z.string().regex(/^\d+$/), z.string().min(1))
        .optional()
        .describe(
          'task_type SEQ_CLS: the class names by id ({0: even, 1: odd}), as transformers’ config holds them; default the labels of the training records (names sorted, or ids 0..max)',
        ),
      pooling_mode: z
        .enum(POOLING_MODES)
        .default('mean')
        .describe(
          'task_type FEATURE_EXTRACTION: how token states become one embedding (sentence-transformers’ pooling_mode): mean, or lasttoken',
        ),
      temperature: z
        .number()
        .positive()
        .default(0.05)
        .describe(
          'task_type FEATURE_EXTRACTION: InfoNCE’s temperature (sentence-transformers’ MultipleNegativesRankingLoss scale = 1 / temperature = 20)',
        ),
      ...bitsAndBytesFields,
      ...sftDataFields,
      ...dpoFields,
      ...ktoFields,
      ...trainingArgumentsSchema.shape,
      output_dir: trainingArgumentsSchema.shape.output_dir.describe(
        'where the adapter (or model), checkpoints, metrics.jsonl and report.html go; relative to the working directory, as in transformers',
      ),
      eval_on_start: z
        .boolean()
        .default(true)
        .describe(
          'evaluate before the first step; tunekit train defaults to true (transformers: false) so the report and the summary compare before and after',
        ),
      generation: generationSchema.describe(
        'generation-based evaluation: exact match, BLEU, ROUGE and sample answers',
      ),
    })
    .superRefine(refineSftData)
    .superRefine(refineAdapter)
    .superRefine(refineDpo)
    .superRefine(refineTaskHead)
    .superRefine(refineHeads)
    .transform(withDefaultLossType)
    .transform(checkBackendOptions(container))
    .transform((config) =>
      config.adapter === 'qlora' ? { ...config, load_in_4bit: true } : config,
    );
}

/**
 * `adapter:` names the PEFT method of the `peft:` section (axolotl's lora and qlora are LoRA), and a
 * 4-bit base only trains an adapter: its packed weights are frozen, as in transformers.
 */
function refineAdapter(
  config: {
    adapter?: 'lora' | 'qlora';
    peft?: { method: string };
    adapters?: object;
    load_in_4bit: boolean;
  },
  ctx: z.RefinementCtx,
): void {
  if (config.adapter !== undefined && config.peft?.method !== 'lora') {
    ctx.addIssue({
      code: 'custom',
      path: config.peft ? ['peft', 'method'] : ['adapter'],
      message: `adapter: ${config.adapter} trains LoRA: add a peft: section with method: lora (and its r, lora_alpha, target_modules)`,
    });
  }
  if (config.adapters !== undefined && config.peft === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['adapters'],
      message:
        'adapters: are added beside the peft: section’s adapter (PEFT’s default one); add a peft: section',
    });
  }
  if (config.load_in_4bit && config.adapter === undefined && config.peft === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['load_in_4bit'],
      message:
        'a base quantized to 4 bits is frozen; train an adapter on it (a peft: section, e.g. method: lora)',
    });
  }
}

/**
 * A task head (task_type SEQ_CLS or FEATURE_EXTRACTION) loads its base in full precision and runs
 * each batch once without noise: a 4-bit base, NEFTune and R-Drop's double pass are causal-LM
 * features.
 */
function refineTaskHead(
  config: {
    peft?: { task_type?: string | null };
    adapter?: string;
    load_in_4bit: boolean;
    rdrop_alpha: number;
    neftune_noise_alpha: number | null;
    trainer: string;
  },
  ctx: z.RefinementCtx,
): void {
  const taskType = config.peft?.task_type;
  if (taskType !== 'SEQ_CLS' && taskType !== 'FEATURE_EXTRACTION') return;
  if (config.trainer !== 'sft')
    ctx.addIssue({
      code: 'custom',
      path: ['trainer'],
      message: `${config.trainer.toUpperCase()} compares a causal LM's log-probabilities of answers; task_type ${taskType} has none (use trainer: sft)`,
    });
  if (config.load_in_4bit || config.adapter === 'qlora')
    ctx.addIssue({
      code: 'custom',
      path: [config.load_in_4bit ? 'load_in_4bit' : 'adapter'],
      message: `task_type ${taskType} trains on a full-precision base; drop load_in_4bit (or adapter: qlora)`,
    });
  if (config.neftune_noise_alpha !== null)
    ctx.addIssue({
      code: 'custom',
      path: ['neftune_noise_alpha'],
      message: `NEFTune adds noise to a causal LM's input embeddings; task_type ${taskType} does not support it`,
    });
  if (config.rdrop_alpha > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['rdrop_alpha'],
      message: `R-Drop compares two passes of a causal LM's next-token predictions; task_type ${taskType} does not support it`,
    });
}

/** A training job's config once validated, every default filled in (`parseTrainConfig`). */
export type TrainConfig = z.output<ReturnType<typeof trainConfigSchema>>;

/**
 * A training job's config validated once, here at the edge: `raw` is the mapping of a YAML or JSON
 * file (or an object built in code), `container` holds the plugins whose ids it names (PEFT method,
 * metrics). A bad config is a UserError naming `source` and every bad field.
 *
 * @example
 * const config = parseTrainConfig({ model: 'models/tiny', train: 'data/train.jsonl' }, container);
 */
export function parseTrainConfig(
  raw: unknown,
  container: DependencyContainer,
  source = 'train config',
): TrainConfig {
  return parseOrThrow(trainConfigSchema(container), raw, source);
}
