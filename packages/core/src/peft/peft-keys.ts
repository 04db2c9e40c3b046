/**
 * PEFT saves a parameter under the path it has inside `PeftModel`: the base model sits at
 * `base_model.model` (PeftModel -> tuner model -> base model), and the adapter name is left out
 * (https://huggingface.co/docs/peft/developer_guides/checkpoint).
 */
export const PEFT_KEY_PREFIX = 'base_model.model.';

/** `base_model.model.<path>`: the saved key of a parameter at `path` in the base model. */
export function peftKey(path: string): string {
  return `${PEFT_KEY_PREFIX}${path}`;
}
