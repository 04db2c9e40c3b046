import { z } from 'zod';
import { promptLearningConfigFields } from './prompt-learning-config.js';

const prefixTuningFields = {
  ...promptLearningConfigFields,
  init_weights: z
    .literal('zero', { error: "expected 'zero' or null" })
    .nullable()
    .default(null)
    .describe(
      "null: the weights start random; 'zero': they start so that the prefix is zero (the projection's last layer, or the table, is zeros).",
    ),
  encoder_hidden_size: z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .nullable()
    .default(null)
    .describe(
      'The hidden size of the prefix projection MLP; null: token_dim (as PEFT fills it when the adapter is added).',
    ),
  prefix_projection: z
    .boolean()
    .default(false)
    .describe(
      'Reparameterise the prefix with a two-layer MLP (Linear, tanh, Linear) while training; the saved table is its output. false is P-Tuning v2.',
    ),
};

/**
 * `PrefixTuningConfig` with PEFT's field names and defaults (peft/tuners/prefix_tuning/config.py).
 * Unknown fields are an error.
 */
export const prefixTuningConfigSchema = z.strictObject(prefixTuningFields);

export type PrefixTuningConfig = z.output<typeof prefixTuningConfigSchema>;

/**
 * P-Tuning v2 (Liu et al. 2022) is prefix tuning without the reparameterisation: the same config
 * with `prefix_projection` false, which this schema keeps.
 */
export const pTuningV2ConfigSchema = z.strictObject({
  ...prefixTuningFields,
  prefix_projection: z
    .literal(false, {
      error:
        'P-Tuning v2 is prefix tuning without projection; use method prefix_tuning for prefix_projection: true',
    })
    .default(false)
    .describe('Always false: P-Tuning v2 learns the prefix table directly.'),
});
