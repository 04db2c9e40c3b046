import { UserError } from '@tunekit/core';
import type { TrainConfig } from '@tunekit/trainer';

/**
 * What becomes of one tunekit config key on a target (axolotl, TRL):
 * - `to`: written under that name (its value through `value` when given), unless `omit` holds;
 * - `handled`: written by the target's data, template or PEFT section;
 * - `tunekitOnly`: how tunekit runs (backend, progress bar), nothing the training depends on;
 * - `warn` / `error`: the target has no equivalent; unless the value is `neutral`, a warning, or an
 *   error where leaving it out would change the training; none when `unless` holds (the value
 *   tunekit's default that the target behaves as, e.g. 0 for a feature that is off).
 */
export type KeyRule =
  | {
      readonly to: string;
      /** Left out when true (the target's default, or another key decides). */
      readonly omit?: (value: never, config: TrainConfig) => boolean;
      readonly value?: (value: never, config: TrainConfig) => unknown;
    }
  | { readonly handled: string }
  | { readonly tunekitOnly: string }
  | { readonly warn: string; readonly unless: (value: never) => boolean }
  | { readonly error: string; readonly unless: (value: never) => boolean };

/** A rule for every key of the config, so a key added to the schema must be decided on. */
export type KeyRules = { readonly [K in keyof TrainConfig]-?: KeyRule };

/** `unless` and `omit` predicates of the common kinds. */
export const isOff = {
  zero: (value: number) => value === 0,
  null: (value: unknown) => value === null,
  false: (value: boolean) => !value,
  empty: (value: readonly unknown[]) => value.length === 0,
};

/**
 * The target's entries for the config's keys, in the table's order; warnings go to `warn`, and a
 * key whose loss would change the training is a UserError naming it.
 */
export function applyKeyRules(
  config: TrainConfig,
  rules: KeyRules,
  target: string,
  warn: (line: string) => void,
): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const [key, rule] of Object.entries(rules) as [keyof TrainConfig, KeyRule][]) {
    const value = config[key];
    if ('to' in rule) {
      if (value === undefined || rule.omit?.(value as never, config)) continue;
      entries.push([rule.to, rule.value ? rule.value(value as never, config) : value]);
    } else if ('warn' in rule) {
      if (!rule.unless(value as never)) warn(`${key}: not carried to ${target}: ${rule.warn}`);
    } else if ('error' in rule) {
      if (!rule.unless(value as never))
        throw new UserError(
          `${key}: ${JSON.stringify(value)} has no ${target} equivalent (${rule.error}); remove it to export`,
        );
    }
  }
  return Object.fromEntries(entries);
}

/** The keys both targets treat alike: the sections each writes itself, and what neither has. */
export const COMMON_RULES = {
  model: { handled: 'base model' },
  peft: { handled: 'LoRA settings' },
  adapters: {
    error: 'several adapters at once (LoRA with a prefix); export a single-adapter config',
    unless: (value: unknown) => value === undefined,
  },
  train: { handled: 'datasets' },
  eval: { handled: 'datasets' },
  eval_split: { handled: 'datasets' },
  format: { handled: 'datasets' },
  template: { handled: 'chat template' },
  system: { handled: 'datasets' },
  loss_policy: { handled: 'datasets' },
  backend: { tunekitOnly: 'the target runs on its own GPUs' },
  backend_options: { tunekitOnly: "options of tunekit's backend (f16 weights, threads)" },
  backend_cache_dir: { tunekitOnly: "where tunekit's backend caches compiled sessions" },
  bucket_lengths: { tunekitOnly: "padding buckets of tunekit's compiled graphs" },
  disable_tqdm: { tunekitOnly: 'the progress bar' },
  overwrite_output_dir: { tunekitOnly: "tunekit's refusal to train into a finished run" },
  allow_nonfinite: { tunekitOnly: "tunekit's check of the weights for NaN/Inf at load" },
  // the task heads' settings: a job of those task types is refused as a whole (clusterJob)
  id2label: { handled: 'task_type SEQ_CLS only' },
  pooling_mode: { handled: 'task_type FEATURE_EXTRACTION only' },
  temperature: { handled: 'task_type FEATURE_EXTRACTION only' },
  plugins: {
    warn: 'tunekit packages; load their equivalent on the target yourself',
    unless: isOff.empty,
  },
  skip_invalid: {
    warn: 'an invalid record stops the run on the target; clean the data first',
    unless: isOff.false,
  },
  resume_from_checkpoint: {
    warn: 'a tunekit checkpoint does not resume on the target; start from the base model',
    unless: isOff.null,
  },
  layerwise_lr_decay: { error: "tunekit's layer-wise learning-rate decay", unless: isOff.null },
  rdrop_alpha: { error: "tunekit's R-Drop loss", unless: isOff.zero },
  trainer: {
    error: 'the export writes supervised fine-tuning jobs; train DPO and KTO with tunekit',
    unless: (trainer: TrainConfig['trainer']) => trainer === 'sft',
  },
  beta: { tunekitOnly: 'a DPOConfig key, read with trainer: dpo only' },
  loss_type: { tunekitOnly: 'a DPOConfig key, read with trainer: dpo only' },
  label_smoothing: { tunekitOnly: 'a DPOConfig key, read with trainer: dpo only' },
  reference_free: { tunekitOnly: 'a DPOConfig key, read with trainer: dpo only' },
  precompute_ref_log_probs: { tunekitOnly: 'a DPOConfig key, read with trainer: dpo only' },
  max_prompt_length: { tunekitOnly: 'a DPOConfig key, read with trainer: dpo only' },
  max_completion_length: { tunekitOnly: 'a DPOConfig key, read with trainer: dpo only' },
  desirable_weight: { tunekitOnly: 'a KTOConfig key, read with trainer: kto only' },
  undesirable_weight: { tunekitOnly: 'a KTOConfig key, read with trainer: kto only' },
  mixout: { error: "tunekit's Mixout", unless: isOff.zero },
  mix_temperature: {
    error: "tunekit's temperature mixing of the sources (mix_temperature)",
    unless: (value: unknown) => value === undefined,
  },
  task_loss_weights: {
    error: "tunekit's per-task loss weights (task_loss_weights)",
    unless: (value: unknown) => value === undefined,
  },
  generation: {
    warn: 'exact match, BLEU and ROUGE are generated by tunekit; run `tunekit eval` on the returned adapter',
    unless: (generation: TrainConfig['generation']) => generation.num_samples === 0,
  },
} as const satisfies Partial<KeyRules>;
