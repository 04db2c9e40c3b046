import { resolveAllOf, TOKENS, UserError } from '@tunekit/core';
import type { PeftSection } from '@tunekit/trainer';
import type { DependencyContainer } from 'tsyringe';

/** Always written, so the exported job reads on its own. */
const ALWAYS = ['r', 'lora_alpha', 'lora_dropout', 'target_modules'] as const;
/** Bookkeeping of a saved adapter, not training settings. */
const BOOKKEEPING = new Set([
  'peft_type',
  'task_type',
  'base_model_name_or_path',
  'revision',
  'inference_mode',
  'auto_mapping',
  'peft_version',
]);

/**
 * The LoRA settings a cluster trainer needs: r, lora_alpha, lora_dropout and target_modules, and
 * every other LoraConfig field whose value is not PEFT's default (tunekit's LoRA config uses
 * PEFT's names and defaults). Another PEFT method is an error: the targets run LoRA only here.
 */
export function loraChanges(
  peft: PeftSection,
  container: DependencyContainer,
  target: string,
): Record<string, unknown> {
  if (peft.method !== 'lora')
    throw new UserError(
      `peft.method: ${peft.method}: the ${target} export writes LoRA settings only; train this method with tunekit`,
    );
  const method = resolveAllOf(container, TOKENS.PeftMethod).find((m) => m.id === 'lora');
  const defaults = (method?.configSchema.parse({}) ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(peft).filter(
      ([key, value]) =>
        (ALWAYS as readonly string[]).includes(key) ||
        (key !== 'method' &&
          !BOOKKEEPING.has(key) &&
          JSON.stringify(value) !== JSON.stringify(defaults[key])),
    ),
  );
}
