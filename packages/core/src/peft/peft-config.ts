import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { type PeftMethod, peftTypeOf } from './peft-method.js';

/** PEFT's `TaskType` values, as `adapter_config.json` spells them. */
export const TASK_TYPES = [
  'SEQ_CLS',
  'SEQ_2_SEQ_LM',
  'CAUSAL_LM',
  'TOKEN_CLS',
  'QUESTION_ANS',
  'FEATURE_EXTRACTION',
] as const;

export type TaskType = (typeof TASK_TYPES)[number];

/**
 * The fields every PEFT config has (PEFT's `PeftConfigMixin` and `PeftConfig`), spelled as in
 * `adapter_config.json`. A method's schema spreads them into its own `z.strictObject`, so an unknown
 * field is an error that names it.
 */
export const peftConfigFields = {
  peft_type: z
    .string()
    .optional()
    .describe(
      "The method, in capitals ('LORA'). Written on save; when given it must name the method the config is for.",
    ),
  task_type: z
    .enum(TASK_TYPES)
    .nullable()
    .default('CAUSAL_LM')
    .describe("PEFT's task type; tunekit trains causal language models, hence 'CAUSAL_LM'."),
  base_model_name_or_path: z
    .string()
    .nullable()
    .default(null)
    .describe('The model the adapter was trained on: a hub id or a local folder.'),
  revision: z
    .string()
    .nullable()
    .default(null)
    .describe('The revision of the base model on the hub, if any.'),
  inference_mode: z
    .boolean()
    .default(false)
    .describe('True in saved adapters: the adapter is loaded for inference, not training.'),
  auto_mapping: z
    .record(z.string(), z.unknown())
    .nullable()
    .default(null)
    .describe('Written by PEFT for models outside transformers; read and ignored by tunekit.'),
  peft_version: z
    .string()
    .optional()
    .describe(
      'The PEFT version that wrote the file (newer PEFT releases write it); informational.',
    ),
};

const peftConfigBase = z.object(peftConfigFields);

/**
 * What every method's parsed config has. `modules_to_save` is declared by each method's schema that
 * supports it (LoRA's does); `PeftModel` handles it the same way for all.
 */
export type PeftConfig = z.output<typeof peftConfigBase> & {
  readonly modules_to_save?: readonly string[] | null;
};

/** One zod issue as "field: message"; unknown fields are named one by one. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const at = path === '' ? '' : ` in ${path}`;
    return issue.keys.map((key) => `${key}: unknown field${at}`).join('; ');
  }
  return `${path === '' ? '(config)' : path}: ${issue.message}`;
}

/**
 * `schema` with the check every PEFT config gets: `peft_type`, when given, must be `peftType` (the
 * method's id in capitals).
 */
function checkingPeftType<C extends PeftConfig>(schema: z.ZodType<C>, peftType: string) {
  return schema.superRefine((config, ctx) => {
    if (config.peft_type !== undefined && config.peft_type !== peftType)
      ctx.addIssue({
        code: 'custom',
        path: ['peft_type'],
        message: `'${config.peft_type}' names another method; this config is read as '${peftType}'`,
      });
  });
}

/**
 * A method's config schema as a config file embeds it (`peft:` beside the method's id): PEFT's
 * field names and defaults, and `peft_type` checked. What it parses goes straight to
 * `PeftModel.createParsed`, so the section is parsed once, at the edge.
 */
export function methodConfigSchema<C extends PeftConfig>(
  method: Pick<PeftMethod<C>, 'id' | 'peftType' | 'configSchema'>,
): z.ZodType<C> {
  return checkingPeftType(method.configSchema, peftTypeOf(method));
}

/**
 * Parses a raw config (YAML, `adapter_config.json`) with `schema`. A bad config is a UserError that
 * names `source` and every bad or unknown field; `peft_type`, when present, must be `peftType`.
 */
export function parsePeftConfig<C extends PeftConfig>(
  schema: z.ZodType<C>,
  peftType: string,
  raw: unknown,
  source: string,
): C {
  const parsed = checkingPeftType(schema, peftType).safeParse(raw);
  if (!parsed.success) {
    throw new UserError(`${source}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  return parsed.data;
}
