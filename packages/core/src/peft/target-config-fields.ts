import { z } from 'zod';

/** Module names, or one regex (PEFT's `Optional[Union[list[str], str]]`), null by default. */
export const moduleNamesField = z
  .union([z.array(z.string().min(1)), z.string().min(1)])
  .nullable()
  .default(null);

/**
 * The config fields of a method that wraps layers, by which it picks them, spelled and defaulted as
 * in PEFT's `LoraConfig`, `IA3Config`, ...: `target_modules`, `exclude_modules`, `fan_in_fan_out`,
 * `modules_to_save`. `layers` names the method's layers in help texts ('LoRA layers'), and
 * `llamaDefaults` what it adapts in a Llama when target_modules is null ('q_proj and v_proj').
 */
export function targetConfigFields(names: {
  readonly layers: string;
  readonly llamaDefaults: string;
}) {
  return {
    target_modules: moduleNamesField.describe(
      "Modules to adapt: a list of names (exact, or the end of a name after a '.'), a regex that " +
        "must match a whole module name, or 'all-linear' (every linear layer but the output head). " +
        `null: PEFT's defaults for the model type (${names.llamaDefaults} for Llama).`,
    ),
    exclude_modules: moduleNamesField.describe(
      'Modules never adapted, matched like target_modules.',
    ),
    fan_in_fan_out: z
      .boolean()
      .default(false)
      .describe(
        "True when the adapted layer stores its weight as [in, out] (GPT-2's Conv1D); set per layer type, as PEFT does.",
      ),
    modules_to_save: z
      .array(z.string().min(1))
      .nullable()
      .default(null)
      .describe(
        `Modules besides the ${names.layers} trained in full and saved with the adapter (e.g. lm_head), matched like target_modules.`,
      ),
  };
}
