import { HostTensor } from '@tunekit/core';
import { IGNORE_INDEX } from '@tunekit/templates';
import type { TrainBatch } from '../data/index.js';
import type { Completion } from './tokenize-pair.js';

/** A row of a preference batch: a prompt and one answer, at index `row` of the batch's 2S rows. */
export interface AnswerRow {
  readonly row: number;
  readonly prompt: readonly number[];
  readonly answer: Completion;
}

/**
 * The token tensors of a batch of 2S rows of T tokens, as DPO's and KTO's batches lay them out
 * (TRL's concatenated rows: slot s's answer at row s, its counterpart at row S + s): each row its
 * prompt then its answer, padded on the right with `padTokenId`, labelled only on the answer.
 * Rows not in `rows` are empty slots.
 */
export function answerRowTensors(
  rows: readonly AnswerRow[],
  S: number,
  T: number,
  padTokenId: number,
): Pick<TrainBatch, 'input_ids' | 'labels' | 'position_ids'> {
  const input_ids = new Int32Array(2 * S * T).fill(padTokenId);
  const labels = new Int32Array(2 * S * T).fill(IGNORE_INDEX);
  const position_ids = new Int32Array(2 * S * T);
  for (let r = 0; r < 2 * S; r++) for (let t = 0; t < T; t++) position_ids[r * T + t] = t;
  for (const { row, prompt, answer } of rows) {
    input_ids.set(prompt, row * T);
    input_ids.set(answer.input_ids, row * T + prompt.length);
    labels.set(answer.labels, row * T + prompt.length);
  }
  const shape = [2 * S, T];
  return {
    input_ids: new HostTensor('i32', shape, input_ids),
    labels: new HostTensor('i32', shape, labels),
    position_ids: new HostTensor('i32', shape, position_ids),
  };
}

/**
 * Precomputed reference log-probs, two per item (its answer's row, its counterpart's) in item
 * order, laid out as the rows of the batch of the items `ids`: row h·S + slot gets 2·id + h.
 */
export function rowReference(
  ids: readonly number[],
  S: number,
  reference: Float64Array,
): HostTensor {
  const rows = new Float64Array(2 * S);
  ids.forEach((id, slot) => {
    rows[slot] = reference[2 * id];
    rows[S + slot] = reference[2 * id + 1];
  });
  return new HostTensor('f32', [2 * S], rows);
}

/**
 * The tokens of `answer` that count in the loss (the prompt is at least one token, so every label
 * lies after the shift).
 */
export const supervisedTokens = (answer: Completion): number =>
  answer.labels.filter((label) => label !== IGNORE_INDEX).length;
