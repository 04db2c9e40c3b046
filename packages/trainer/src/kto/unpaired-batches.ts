import { HostTensor } from '@tunekit/core';
import { type BatchPlan, bucketFor, lazyPlan, type TrainBatch } from '../data/index.js';
import {
  answerRowTensors,
  type Completion,
  REF_LOGPS_INPUT,
  rowReference,
  supervisedTokens,
} from '../dpo/index.js';
import { KTO_LABEL_INPUT } from './kto-loss.js';

/** An unpaired example tokenised as TRL's KTO `_tokenize`: a prompt, one answer, its label. */
export interface UnpairedExample {
  /** The record it came from, `file:line`. */
  readonly where: string;
  readonly prompt: readonly number[];
  readonly completion: Completion;
  readonly desirable: boolean;
  /** The prompt or the answer was cut (max_prompt_length, max_completion_length, max_length). */
  readonly truncated: boolean;
}

export interface UnpairedBatchOptions {
  /** Examples per batch (per_device_*_batch_size): 2 × this many rows. */
  readonly batchSize: number;
  readonly bucketLengths: readonly number[];
  readonly padTokenId: number;
  readonly maxLength: number;
  /**
   * Precomputed reference log-probs, two per example (its answer, its KL row) in `examples`
   * order: fed to the loss as `ref_logps`.
   */
  readonly reference?: Float64Array;
}

/**
 * TRL's KL pairing (`_get_kl_dataset`): `examples` (indices) cut into groups of `size` in their
 * order, each example's prompt paired with the answer of the one before it in its group (the
 * first with the last's), so a batch that is one group estimates the KL term from its own
 * answers under other prompts. Gives, by example, the example whose answer its KL row takes.
 */
export function klPartners(ids: readonly number[], size: number, count: number): Int32Array {
  const partner = new Int32Array(count).fill(-1);
  for (let start = 0; start < ids.length; start += size) {
    const group = ids.slice(start, start + size);
    group.forEach((id, k) => {
      partner[id] = group[(k - 1 + group.length) % group.length];
    });
  }
  return partner;
}

/** The batches of `groups` (each a list of example indices) in the order given. */
export function unpairedPlan(
  groups: readonly (readonly number[])[],
  examples: readonly UnpairedExample[],
  partner: Int32Array,
  opts: UnpairedBatchOptions,
): BatchPlan {
  return lazyPlan(groups.length, (index) =>
    collateUnpaired(groups[index], examples, partner, opts),
  );
}

/**
 * The tensors of one KTO batch (TRL's KTO collator with its KL batch): `batchSize` slots, rows
 * [0, S) each example's prompt and answer, rows [S, 2S) the same prompts with their KL partner's
 * answer (cut to max_length), padded on the right to one bucket length; the labels of the
 * examples as `kto_label`. Slots past the last example are empty rows.
 */
export function collateUnpaired(
  ids: readonly number[],
  examples: readonly UnpairedExample[],
  partner: Int32Array,
  opts: UnpairedBatchOptions,
): TrainBatch {
  const S = opts.batchSize;
  const rows = ids.flatMap((id, slot) => {
    const { prompt, completion } = examples[id];
    const kl = examples[partner[id]].completion;
    const room = opts.maxLength - prompt.length;
    const klAnswer = {
      input_ids: kl.input_ids.slice(0, room),
      labels: kl.labels.slice(0, room),
    };
    return [
      { row: slot, prompt, answer: completion },
      { row: S + slot, prompt, answer: klAnswer },
    ];
  });
  const T = bucketFor(
    Math.max(...rows.map((r) => r.prompt.length + r.answer.input_ids.length)),
    opts.bucketLengths,
  );
  const desirable = new Float64Array(S);
  ids.forEach((id, slot) => {
    desirable[slot] = examples[id].desirable ? 1 : 0;
  });
  return {
    ...answerRowTensors(rows, S, T, opts.padTokenId),
    // the examples' own answers; the KL rows are not supervised tokens
    supervisedTokens: ids.reduce((sum, id) => sum + supervisedTokens(examples[id].completion), 0),
    examples: ids,
    // the loss is a mean over examples, as DPO's is over pairs
    pairs: ids.length,
    lossInputs: {
      [KTO_LABEL_INPUT]: new HostTensor('f32', [S], desirable),
      ...(opts.reference && { [REF_LOGPS_INPUT]: rowReference(ids, S, opts.reference) }),
    },
  };
}
