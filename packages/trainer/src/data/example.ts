import { IGNORE_INDEX } from '@tunekit/templates';

/** One tokenised training example: labels unshifted, IGNORE_INDEX where there is no loss. */
export interface Example {
  /** The record it came from, `file:line`. */
  readonly where: string;
  readonly input_ids: Int32Array;
  readonly labels: Int32Array;
  /** Labels that carry loss after the shift (labels[1:]): the first label is never predicted. */
  readonly supervisedTokens: number;
  /** The task of its source (multi-task data), for per-task loss weights and eval metrics. */
  readonly task?: string;
}

export function makeExample(
  where: string,
  input_ids: readonly number[],
  labels: readonly number[],
): Example {
  let supervisedTokens = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] !== IGNORE_INDEX) supervisedTokens++;
  return {
    where,
    input_ids: Int32Array.from(input_ids),
    labels: Int32Array.from(labels),
    supervisedTokens,
  };
}
