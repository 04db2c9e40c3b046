import { moduleNamesField, peftConfigFields, targetConfigFields } from '@tunekit/core';
import { z } from 'zod';

const nonNegativeInt = z.number().int().nonnegative();

/** A PEFT option tunekit reads in adapter files but supports only when it is off (null). */
const offNull = (what: string) =>
  z
    .null({ error: `tunekit does not support ${what}; expected null` })
    .default(null)
    .describe(`PEFT's ${what}; accepted only as null (off).`);

/** A PEFT option tunekit supports only at false. */
const offFalse = (what: string) =>
  z
    .literal(false, { error: `tunekit does not support ${what}; expected false` })
    .default(false)
    .describe(`PEFT's ${what}; accepted only as false (off).`);

/**
 * `LoraConfig` with PEFT's field names, defaults and meanings (peft/tuners/lora/config.py), plus
 * the fields every PEFT config has. PEFT options tunekit does not implement are accepted only at
 * their off value, so an `adapter_config.json` written by PEFT loads, and one that needs a missing
 * feature fails naming it. Unknown fields are an error.
 */
export const loraConfigSchema = z
  .strictObject({
    ...peftConfigFields,
    r: z
      .number({ error: 'expected a positive integer' })
      .int({ error: 'expected a positive integer' })
      .positive({ error: 'expected a positive integer (the LoRA rank)' })
      .default(8)
      .describe('LoRA rank: lora_A is [r, in_features], lora_B [out_features, r].'),
    ...targetConfigFields({ layers: 'LoRA layers', llamaDefaults: 'q_proj and v_proj' }),
    lora_alpha: z
      .number()
      .default(8)
      .describe(
        'LoRA alpha: the update is scaled by lora_alpha / r (lora_alpha / sqrt(r) with use_rslora).',
      ),
    lora_dropout: z
      .number()
      .min(0, { error: 'expected a probability in [0, 1)' })
      .lt(1, { error: 'expected a probability in [0, 1)' })
      .default(0)
      .describe("Dropout on the LoRA branch's input, in training only."),
    bias: z
      .enum(['none', 'all', 'lora_only'])
      .default('none')
      .describe(
        "Biases trained and saved with the adapter: none, all of the model's, or those of the adapted layers.",
      ),
    use_rslora: z
      .boolean()
      .default(false)
      .describe('Rank-stabilized LoRA (Kalajdzievski 2023): scaling lora_alpha / sqrt(r).'),
    init_lora_weights: z
      .union([z.boolean(), z.literal('gaussian')], {
        error: "tunekit supports init_lora_weights true, false or 'gaussian'",
      })
      .default(true)
      .describe(
        "true: lora_A as torch.nn.Linear's default init (Kaiming-uniform, a = sqrt(5)) and lora_B zero, so the adapter starts as a no-op; " +
          "'gaussian': lora_A normal with std 1 / r, lora_B zero; false: both as torch.nn.Linear's init (not a no-op; for tests).",
      ),
    layers_to_transform: z
      .union([z.array(nonNegativeInt), nonNegativeInt])
      .nullable()
      .default(null)
      .describe('Only these layer indices are adapted (with a list of target_modules).'),
    layers_pattern: moduleNamesField.describe(
      "The name of the layer list layers_to_transform indexes, e.g. 'layers' or 'h'.",
    ),
    rank_pattern: z
      .record(z.string(), z.number().int().positive({ error: 'expected a positive integer rank' }))
      .default({})
      .describe(
        "Ranks other than r by module: a regex matched against the end of the module name, e.g. {'q_proj': 16}.",
      ),
    alpha_pattern: z
      .record(z.string(), z.number())
      .default({})
      .describe('Alphas other than lora_alpha by module, matched like rank_pattern.'),
    use_dora: z
      .boolean()
      .default(false)
      .describe(
        'DoRA (Liu et al. 2024): a trained magnitude per output feature times the direction of W + scaling * B A.',
      ),
    megatron_config: offNull('Megatron parallel layers (megatron_config)'),
    megatron_core: z
      .string()
      .nullable()
      .default('megatron.core')
      .describe("PEFT's Megatron module name; unused by tunekit."),
    trainable_token_indices: offNull('trainable token indices'),
    loftq_config: z
      .record(z.string(), z.unknown())
      .refine((value) => Object.keys(value).length === 0, {
        error: 'tunekit does not support LoftQ; expected {}',
      })
      .default({})
      .describe("PEFT's LoftQ settings; accepted only as {} (off)."),
    eva_config: offNull('EVA initialisation (eva_config)'),
    corda_config: offNull('CorDA initialisation (corda_config)'),
    use_qalora: offFalse('QA-LoRA (use_qalora)'),
    qalora_group_size: z
      .number()
      .int()
      .default(16)
      .describe("PEFT's QA-LoRA group size; unused while use_qalora is false."),
    layer_replication: offNull('layer replication'),
    lora_bias: offFalse('a bias on lora_B (lora_bias)'),
    target_parameters: z
      .array(z.string())
      .max(0, { error: 'tunekit does not support target_parameters; expected null or []' })
      .nullable()
      .default(null)
      .describe("PEFT's parameter targeting (target_parameters); accepted only as null or []."),
    alora_invocation_tokens: offNull('activated LoRA (alora_invocation_tokens)'),
    arrow_config: offNull('Arrow routing (arrow_config)'),
    ensure_weight_tying: offFalse('ensure_weight_tying'),
  })
  .superRefine((config, ctx) => {
    // the checks of PEFT's LoraConfig.__post_init__
    if (typeof config.target_modules === 'string' && config.layers_to_transform !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['layers_to_transform'],
        message: 'cannot be used when target_modules is a regex string',
      });
    }
    if (config.layers_pattern !== null && config.layers_to_transform === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['layers_pattern'],
        message: 'needs layers_to_transform as well',
      });
    }
  });

export type LoraConfig = z.output<typeof loraConfigSchema>;

/**
 * Fields of newer PEFT releases, with the value that means "off". A saved config leaves them out
 * when off, so `adapter_config.json` has the fields of PEFT's documented LoRA example and loads in
 * older PEFT releases too (which reject keys they do not know).
 */
const NEWER_PEFT_FIELDS_OFF: Readonly<Record<string, unknown>> = {
  exclude_modules: null,
  eva_config: null,
  corda_config: null,
  trainable_token_indices: null,
  use_qalora: false,
  qalora_group_size: 16,
  lora_bias: false,
  target_parameters: null,
  alora_invocation_tokens: null,
  arrow_config: null,
  ensure_weight_tying: false,
};

/** `config` as `adapter_config.json` holds it: newer PEFT fields only when they are on. */
export function savedLoraConfig(config: LoraConfig): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).filter(
      ([key, value]) => !(key in NEWER_PEFT_FIELDS_OFF) || value !== NEWER_PEFT_FIELDS_OFF[key],
    ),
  );
}
