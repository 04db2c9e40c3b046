import { LOSS_POLICIES, systemSpecSchema } from '@tunekit/templates';
import { z } from 'zod';
import { sourceHeadSchema } from './source-head.js';

const pathsSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** One source of records: files or globs of one format, with a weight for mixing. */
export const dataSourceSchema = z.strictObject({
  path: pathsSchema.describe('a JSONL or JSON file, a glob (data/*.jsonl), or a list of them'),
  format: z
    .string()
    .min(1)
    .optional()
    .describe(
      "the records' format id; default the `format` setting, else detected from the first record",
    ),
  weight: z
    .number()
    .positive()
    .default(1)
    .describe(
      'how often each epoch sees the source: 2 shows every example twice, 0.5 a seeded half (drawn anew each epoch)',
    ),
  task: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or -')
    .optional()
    .describe(
      'the task its examples train (answer, rationale, tool_call): a name for per-task loss weights and eval metrics (eval_<task>_<metric>)',
    ),
  head: sourceHeadSchema
    .optional()
    .describe(
      'a head of its own for this task on the same model ({task_type: SEQ_CLS, id2label}): its batches train that head; default the LM head',
    ),
});

/** A file or glob, a source, or a list of them (each item its own source). */
const sourcesSchema = z
  .union([
    z.string().min(1),
    dataSourceSchema,
    z.array(z.union([z.string().min(1), dataSourceSchema])).min(1),
  ])
  .transform((value) =>
    (Array.isArray(value) ? value : [value]).map((item) =>
      typeof item === 'string' ? dataSourceSchema.parse({ path: item }) : item,
    ),
  );

/**
 * The data settings of supervised fine-tuning, keys as TRL's SFTConfig and transformers'
 * TrainingArguments spell them where they have one. A shape to spread into a trainer's own config
 * schema (`z.strictObject({...sftDataFields, ...})`).
 */
export const sftDataFields = {
  train: sourcesSchema.describe(
    'training data: files, globs or sources ({path, format, weight, task})',
  ),
  eval: sourcesSchema.optional().describe('evaluation data; or set eval_split'),
  eval_split: z
    .number()
    .gt(0)
    .lt(1)
    .optional()
    .describe('the fraction of each training source held out for evaluation, drawn with `seed`'),
  format: z
    .string()
    .min(1)
    .optional()
    .describe('the format id of sources that name none; default detected per source'),
  skip_invalid: z
    .boolean()
    .default(false)
    .describe('skip and count invalid records instead of stopping at the first'),
  remove_duplicates: z
    .boolean()
    .default(true)
    .describe('drop examples whose tokens and labels equal an earlier one'),
  template: z
    .string()
    .min(1)
    .optional()
    .describe(
      "the chat template: an id, or a path (relative to the config file) to a .jinja file or a tokenizer_config.json whose chat_template to use; default 'jinja' (the model's own) when the tokenizer has a chat_template, else 'chatml'",
    ),
  system: systemSpecSchema.optional().describe('a system message composed for every record'),
  loss_policy: z.enum(LOSS_POLICIES).default('assistant').describe('which tokens carry loss'),
  max_length: z
    .int()
    .positive()
    .default(1024)
    .describe(
      'longest example in tokens: older turns are dropped first (the system turn stays), then the end is cut',
    ),
  packing: z
    .boolean()
    .default(false)
    .describe(
      'pack several examples into each row of max_length tokens, attending only within each',
    ),
  bucket_lengths: z
    .array(z.int().positive())
    .min(1)
    .optional()
    .describe(
      'the row lengths batches are padded to (one compiled graph each); default powers of two up to max_length',
    ),
  per_device_train_batch_size: z.int().positive().default(8).describe('rows per training batch'),
  per_device_eval_batch_size: z.int().positive().default(8).describe('rows per evaluation batch'),
  seed: z.int().default(42).describe('seeds the eval split, the shuffles and the mixing'),
  mix_temperature: z
    .number()
    .positive()
    .optional()
    .describe(
      "T5's examples-proportional mixing with a temperature: source i is drawn with probability p_i ∝ (weight_i · n_i)^(1/T) among an epoch of as many examples as the sources hold; 1 keeps the weights' proportions, larger flattens towards equal tasks",
    ),
  task_loss_weights: z
    .record(z.string(), z.number().nonnegative())
    .optional()
    .describe(
      "a loss weight per source task ({rationale: 0.5}; others 1): the loss is sum(w_task · token loss) / num_items_in_batch, the window's supervised tokens counted unweighted",
    ),
};

type SftDataFields = z.output<z.ZodObject<typeof sftDataFields>>;

/** The checks across fields; a trainer that spreads `sftDataFields` adds them with `.superRefine`. */
export function refineSftData(config: SftDataFields, ctx: z.RefinementCtx): void {
  if (config.eval !== undefined && config.eval_split !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['eval_split'],
      message: 'set eval (a separate file) or eval_split (a held-out fraction), not both',
    });
  }
  const tasks = new Set(config.train.flatMap((source) => source.task ?? []));
  for (const task of Object.keys(config.task_loss_weights ?? {}))
    if (!tasks.has(task))
      ctx.addIssue({
        code: 'custom',
        path: ['task_loss_weights', task],
        message: `no training source has task '${task}' (tasks: ${[...tasks].join(', ') || 'none'})`,
      });
  const buckets = config.bucket_lengths;
  if (buckets === undefined) return;
  if (buckets.some((length, i) => i > 0 && length <= buckets[i - 1])) {
    ctx.addIssue({
      code: 'custom',
      path: ['bucket_lengths'],
      message: 'expected strictly increasing lengths',
    });
  }
  const longest = buckets[buckets.length - 1];
  if (longest < config.max_length) {
    ctx.addIssue({
      code: 'custom',
      path: ['bucket_lengths'],
      message: `the largest bucket (${longest}) must be at least max_length (${config.max_length})`,
    });
  }
}

export const sftDataConfigSchema = z.object(sftDataFields).superRefine(refineSftData);

export type SftDataConfig = z.output<typeof sftDataConfigSchema>;
export type SftDataConfigInput = z.input<typeof sftDataConfigSchema>;
export type DataSource = z.output<typeof dataSourceSchema>;
