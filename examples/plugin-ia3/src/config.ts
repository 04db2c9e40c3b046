import { moduleNamesField, peftConfigFields, targetConfigFields } from '@tunekit/core';
import { z } from 'zod';

/**
 * PEFT's `IA3Config` (peft/tuners/ia3/config.py): its field names, defaults and checks, plus the
 * fields every PEFT config has. Unknown fields are an error.
 */
export const ia3ConfigSchema = z
  .strictObject({
    ...peftConfigFields,
    ...targetConfigFields({ layers: '(IA)³ layers', llamaDefaults: 'k_proj, v_proj, down_proj' }),
    feedforward_modules: moduleNamesField.describe(
      "Target modules whose INPUT is scaled (the paper's feed-forward case); the others scale their output. " +
        "A regex matched against the whole name, or names matched as the end of a name. null: PEFT's defaults for the model type.",
    ),
    init_ia3_weights: z
      .boolean()
      .default(true)
      .describe(
        'true: the vectors start at ones, so the adapter starts as a no-op; false: standard normal.',
      ),
  })
  // PEFT's IA3Config.__post_init__
  .refine(
    ({ target_modules: t, feedforward_modules: ff }) =>
      !Array.isArray(t) || !Array.isArray(ff) || ff.every((name) => t.includes(name)),
    { path: ['feedforward_modules'], error: 'should be a subset of target_modules' },
  );

export type Ia3Config = z.output<typeof ia3ConfigSchema>;
