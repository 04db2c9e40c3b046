import { parseOrThrow } from '@tunekit/core';
import { z } from 'zod';

const positiveInt = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` });
const nonNegative = z.number().nonnegative({ error: 'expected a number >= 0' });
/** transformers' step intervals: an integer number of steps, or a fraction (< 1) of the total. */
const interval = z
  .number({ error: 'expected a number of steps, or a fraction of the total below 1' })
  .positive({ error: 'expected a number of steps, or a fraction of the total below 1' })
  .refine((v) => v < 1 || Number.isInteger(v), {
    error: 'expected a whole number of steps, or a fraction of the total below 1',
  });

export const LR_SCHEDULER_TYPES = ['constant', 'linear', 'cosine', 'constant_with_warmup'] as const;
export type LrSchedulerType = (typeof LR_SCHEDULER_TYPES)[number];

/**
 * transformers' `TrainingArguments` (and TRL's SFTConfig, which extends it) as far as tunekit's
 * Trainer implements them: the same names, defaults and meanings, so a config written for those
 * tools reads the same here. Two tunekit extensions are marked as such. Unknown keys are errors.
 */
export const trainingArgumentsSchema = z.strictObject({
  output_dir: z
    .string()
    .min(1)
    .default('trainer_output')
    .describe('Folder for checkpoints (`checkpoint-<step>`), the metrics log and the report.'),
  overwrite_output_dir: z
    .boolean()
    .default(false)
    .describe(
      'Train into an output_dir that holds an earlier run: its checkpoints, metrics.jsonl and ' +
        'report are removed first. Without it (and without resume_from_checkpoint) such a folder is refused.',
    ),
  learning_rate: z
    .number()
    .positive({ error: 'expected a positive learning rate' })
    .default(5e-5)
    .describe(
      "Peak AdamW learning rate (transformers' default 5e-5; LoRA recipes commonly use 2e-4).",
    ),
  per_device_train_batch_size: positiveInt('a positive batch size')
    .default(8)
    .describe('Examples (or packed rows) per micro-batch.'),
  per_device_eval_batch_size: positiveInt('a positive batch size')
    .default(8)
    .describe('Examples per evaluation batch.'),
  gradient_accumulation_steps: positiveInt('a positive number of micro-batches')
    .default(1)
    .describe(
      'Micro-batches whose gradients are summed before one optimizer step; the loss is divided by ' +
        'the supervised tokens of the whole window, as transformers does with num_items_in_batch.',
    ),
  num_train_epochs: z
    .number()
    .positive({ error: 'expected a positive number of epochs' })
    .default(3)
    .describe('Passes over the training data (fractions allowed); ignored when max_steps > 0.'),
  max_steps: z
    .number()
    .int({ error: 'expected a whole number of steps' })
    .refine((v) => v >= 0 || v === -1, {
      error: 'expected a positive number of steps, or -1 (unset: num_train_epochs decides)',
    })
    .default(-1)
    .describe('Optimizer steps to take; overrides num_train_epochs when > 0 (data repeats).'),
  lr_scheduler_type: z
    .enum(LR_SCHEDULER_TYPES)
    .default('linear')
    .describe('How the learning rate moves over training, after the warmup (none for constant).'),
  warmup_steps: z
    .number()
    .int()
    .nonnegative({ error: 'expected a number of steps >= 0' })
    .default(0)
    .describe('Linear warmup from 0 over this many steps; overrides warmup_ratio when > 0.'),
  warmup_ratio: z
    .number()
    .min(0)
    .max(1, { error: 'expected a fraction of the training steps in [0, 1]' })
    .default(0)
    .describe('Linear warmup over this fraction of the training steps (rounded up).'),
  weight_decay: nonNegative
    .default(0)
    .describe(
      'AdamW decoupled weight decay, applied to every trainable weight except biases and norm ' +
        "weights (transformers' get_decay_parameter_names).",
    ),
  adam_beta1: z.number().min(0).lt(1).default(0.9).describe('AdamW beta1.'),
  adam_beta2: z.number().min(0).lt(1).default(0.999).describe('AdamW beta2.'),
  adam_epsilon: z.number().positive().default(1e-8).describe('AdamW epsilon.'),
  optim: z
    .string()
    .min(1)
    .default('adamw_torch')
    .describe(
      "The optimizer, by transformers' name, among those registered: adamw_torch (torch.optim.AdamW, " +
        'in core); adamw_8bit, paged_adamw_8bit, paged_adamw_32bit (bitsandbytes, @tunekit/peft-qlora).',
    ),
  max_grad_norm: nonNegative
    .default(1)
    .describe('Clip the global gradient norm to this value; 0 turns clipping off.'),
  label_smoothing_factor: z
    .number()
    .min(0)
    .lt(1, { error: 'expected a factor in [0, 1)' })
    .default(0)
    .describe(
      'Label smoothing of the cross-entropy: (1 - f) * nll + f * the mean over the vocabulary of -log p.',
    ),
  seed: z
    .number()
    .int()
    .default(42)
    .describe('Seed of dropout masks and NEFTune noise; the same seed gives the same run.'),
  logging_steps: interval
    .default(500)
    .describe('Log the mean loss, learning rate and grad norm every this many steps.'),
  eval_strategy: z
    .enum(['no', 'steps', 'epoch'])
    .default('no')
    .describe("When to evaluate: never, every eval_steps, or at each epoch's end."),
  eval_steps: interval
    .nullable()
    .default(null)
    .describe("Steps between evaluations with eval_strategy 'steps'; null: logging_steps."),
  eval_on_start: z
    .boolean()
    .default(false)
    .describe('Evaluate once before the first step (the "before" of the report).'),
  save_strategy: z
    .enum(['no', 'steps', 'epoch'])
    .default('steps')
    .describe("When to write a checkpoint: never, every save_steps, or at each epoch's end."),
  save_steps: interval.default(500).describe('Steps between checkpoints.'),
  save_total_limit: positiveInt('a positive number of checkpoints')
    .nullable()
    .default(null)
    .describe('Keep only the newest this many checkpoints in output_dir; null keeps all.'),
  resume_from_checkpoint: z
    .union([z.string().min(1), z.boolean()])
    .nullable()
    .default(null)
    .describe(
      'A checkpoint folder to continue from exactly (weights, optimizer, schedule, RNG, data ' +
        'position), or true for the newest checkpoint in output_dir.',
    ),
  gradient_checkpointing: z
    .boolean()
    .default(false)
    .describe(
      "Recompute each decoder layer's activations in the backward pass instead of keeping them: peak memory grows with one layer, not all of them, for about a third more compute.",
    ),
  neftune_noise_alpha: z
    .number()
    .positive({ error: 'expected a positive alpha (5 in the NEFTune paper)' })
    .nullable()
    .default(null)
    .describe(
      'NEFTune: add uniform noise of scale alpha / sqrt(seq_len * hidden) to the input embeddings in training.',
    ),
  metric_for_best_model: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe(
      "The eval metric early stopping watches ('loss' when null); 'eval_' is added if missing.",
    ),
  greater_is_better: z
    .boolean()
    .nullable()
    .default(null)
    .describe(
      'Whether a larger metric_for_best_model is better; null: false for a loss, else true.',
    ),
  early_stopping_patience: positiveInt('a positive number of evaluations')
    .nullable()
    .default(null)
    .describe(
      "transformers' EarlyStoppingCallback: stop after this many evaluations without improvement; null: off.",
    ),
  early_stopping_threshold: nonNegative
    .default(0)
    .describe('How much metric_for_best_model must improve to count as an improvement.'),
  disable_tqdm: z
    .boolean()
    .default(false)
    .describe('Turn the progress bar (or its plain-line form off a terminal) off.'),
  layerwise_lr_decay: z
    .number()
    .gt(0, { error: 'expected a decay in (0, 1]' })
    .max(1, { error: 'expected a decay in (0, 1]' })
    .nullable()
    .default(null)
    .describe(
      'tunekit extension, layer-wise learning-rate decay: with L decoder layers, embeddings get ' +
        'decay^(L+1), layer i decay^(L-i), and everything above the last layer (final norm, ' +
        'output head, new heads) the full learning rate. null: off.',
    ),
  rdrop_alpha: nonNegative
    .default(0)
    .describe(
      'tunekit extension, R-Drop: each batch runs twice with different dropout masks, and the loss ' +
        'adds alpha times the symmetric KL divergence of the two predictions per supervised token. ' +
        'Needs dropout (e.g. lora_dropout > 0) or NEFTune noise; 0: off.',
    ),
  mixout: z
    .number()
    .min(0, { error: 'expected a probability in [0, 1)' })
    .lt(1, { error: 'expected a probability in [0, 1)' })
    .default(0)
    .describe(
      'tunekit extension, Mixout (Lee et al. 2020): in training each input column of a trained ' +
        "Linear weight (full fine-tuning, or a PEFT config's modules_to_save) is replaced by its " +
        'value before training with this probability, and the weight rescaled so its expectation ' +
        'is the trained weight; off at eval. 0: off.',
    ),
});

export type TrainingArguments = z.output<typeof trainingArgumentsSchema>;
/** What a config may give: every field optional, defaults filled in by the schema. */
export type TrainingArgumentsInput = z.input<typeof trainingArgumentsSchema>;

/** Validates `raw` (e.g. a YAML file's mapping); `source` names it in errors. */
export function parseTrainingArguments(
  raw: unknown,
  source = 'training arguments',
): TrainingArguments {
  return parseOrThrow(trainingArgumentsSchema, raw ?? {}, source);
}

/**
 * The training arguments of a parsed flat config (one whose schema spreads
 * `trainingArgumentsSchema.shape`, as TRL's config files are flat): its own keys, already
 * validated, without parsing again.
 */
export function pickTrainingArguments(config: TrainingArguments): TrainingArguments {
  const keys = Object.keys(trainingArgumentsSchema.shape) as (keyof TrainingArguments)[];
  const own = keys.filter((key) => key in config);
  return Object.fromEntries(own.map((key) => [key, config[key]])) as TrainingArguments;
}
