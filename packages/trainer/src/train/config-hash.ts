import { createHash } from 'node:crypto';
import type { TrainingArguments } from './training-arguments.js';

/**
 * Training arguments that change where output goes or how often it is reported, never the losses:
 * a resumed run may change them freely.
 */
const REPORTING_KEYS: ReadonlySet<string> = new Set([
  'output_dir',
  'overwrite_output_dir',
  'resume_from_checkpoint',
  'logging_steps',
  'eval_strategy',
  'eval_steps',
  'eval_on_start',
  'per_device_eval_batch_size',
  'save_strategy',
  'save_steps',
  'save_total_limit',
  'metric_for_best_model',
  'greater_is_better',
  'early_stopping_patience',
  'early_stopping_threshold',
  'disable_tqdm',
]);

/**
 * What a checkpoint must agree on to be resumed exactly: the training arguments that shape the
 * trajectory, plus the caller's `identity` (PEFT config, data fingerprint, model source...).
 */
export function hashedConfig(
  args: TrainingArguments,
  identity: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const trajectory = Object.fromEntries(
    Object.entries(args).filter(([key]) => !REPORTING_KEYS.has(key)),
  );
  return { ...identity, training_arguments: trajectory };
}

/** sha256 of the canonical JSON (keys sorted at every level) of `config`. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/** Top-level and training-argument keys whose values differ between two hashed configs. */
export function differingKeys(
  saved: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): string[] {
  const nested = (c: Readonly<Record<string, unknown>>) =>
    (c.training_arguments ?? {}) as Record<string, unknown>;
  const diff = (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
      (key) => canonicalJson(a[key]) !== canonicalJson(b[key]),
    );
  return [
    ...diff(nested(saved), nested(current)),
    ...diff(
      { ...saved, training_arguments: undefined },
      { ...current, training_arguments: undefined },
    ),
  ].sort();
}

function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
          )
        : v,
    ) ?? 'null'
  );
}
