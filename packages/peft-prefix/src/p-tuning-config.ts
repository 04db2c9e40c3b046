import { z } from 'zod';
import { promptLearningConfigFields } from './prompt-learning-config.js';

/** PEFT's `PromptEncoderReparameterizationType`. */
export const ENCODER_REPARAMETERIZATION_TYPES = ['MLP', 'LSTM'] as const;

/**
 * `PromptEncoderConfig` with PEFT's field names and defaults (peft/tuners/p_tuning/config.py).
 * Unknown fields are an error.
 */
export const pTuningConfigSchema = z.strictObject({
  ...promptLearningConfigFields,
  encoder_reparameterization_type: z
    .enum(ENCODER_REPARAMETERIZATION_TYPES)
    .default('MLP')
    .describe(
      'How to reparameterize the prompt encoder: MLP (recommended) or a bidirectional LSTM.',
    ),
  encoder_hidden_size: z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .nullable()
    .default(null)
    .describe('The hidden size of the prompt encoder; needed to train (PEFT fills in no default).'),
  encoder_num_layers: z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .default(2)
    .describe(
      'The number of layers of the LSTM; the MLP always has 2 hidden layers (PEFT ignores it).',
    ),
  encoder_dropout: z
    .number({ error: 'expected a number in [0, 1)' })
    .min(0, { error: 'expected a number in [0, 1)' })
    .lt(1, { error: 'expected a number in [0, 1)' })
    .default(0)
    .describe('The dropout between LSTM layers while training (the MLP has none, as in PEFT).'),
});

export type PTuningConfig = z.output<typeof pTuningConfigSchema>;
