import { peftConfigFields } from '@tunekit/core';
import { z } from 'zod';

/** Module names, or one regex; null by default. */
const modules = (help: string) =>
  z
    .union([z.array(z.string().min(1)), z.string().min(1)])
    .nullable()
    .default(null)
    .describe(help);

/**
 * PEFT's `IA3Config` (peft/tuners/ia3/config.py): its field names, defaults and checks, plus the
 * fields every PEFT config has. Unknown fields are an error.
 */
export const ia3ConfigSchema = z
  .strictObject({
    ...peftConfigFields,
    target_modules: modules(
      "Modules to scale: names (exact, or the end of a name after a '.'), a regex matched against " +
        "the whole name, or 'all-linear'. null: PEFT's defaults for the model type (k_proj, v_proj, down_proj for Llama).",
    ),
    exclude_modules: modules('Modules never adapted, matched like target_modules.'),
    feedforward_modules: modules(
      "Target modules whose INPUT is scaled (the paper's feed-forward case); the others scale their output. " +
        "A regex matched against the whole name, or names matched as the end of a name. null: PEFT's defaults for the model type.",
    ),
    fan_in_fan_out: z
      .boolean()
      .default(false)
      .describe(
        "True when a layer stores its weight as [in, out] (GPT-2's Conv1D); set per layer type, as PEFT does.",
      ),
    modules_to_save: z
      .array(z.string().min(1))
      .nullable()
      .default(null)
      .describe('Modules besides the (IA)³ layers trained in full and saved with the adapter.'),
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
