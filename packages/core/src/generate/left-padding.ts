import { HostTensor } from '../tensor/index.js';

/**
 * A batch of prompts left-padded to one width: row b's prompt fills slots [pads[b], width), so every
 * row's next token goes to the same slot and one graph serves the whole batch. Slots are positions
 * in the KV cache (or in the recomputed sequence without one).
 */
export class LeftPaddedBatch {
  /** Pad slots at the start of each row. */
  readonly pads: readonly number[];

  constructor(
    promptLengths: readonly number[],
    readonly width: number,
  ) {
    this.pads = promptLengths.map((n) => width - n);
  }

  get rows(): number {
    return this.pads.length;
  }

  /**
   * The additive mask [B, 1, Tq, Tk] for queries at slots start..start+Tq-1 over keys at slots
   * 0..Tk-1: key l is visible (0) to the query at slot p iff l <= p and l is not a pad slot of the
   * row, else -inf. A pad query sees nothing; attention gives it 0, and no real query reads it.
   */
  attentionMask(start: number, queries: number, keys: number): HostTensor<'f32'> {
    const data = new Float32Array(this.rows * queries * keys).fill(Number.NEGATIVE_INFINITY);
    this.pads.forEach((pad, b) => {
      for (let q = 0; q < queries; q++) {
        const row = (b * queries + q) * keys;
        for (let l = pad; l <= Math.min(start + q, keys - 1); l++) data[row + l] = 0;
      }
    });
    return new HostTensor('f32', [this.rows, 1, queries, keys], data);
  }

  /**
   * position_ids [B, Tq] of the slots start..start+Tq-1: real tokens count from 0 in each row (as
   * HF derives them from the attention mask), pad slots get 0.
   */
  positionIds(start: number, queries: number): HostTensor<'i32'> {
    const data = new Int32Array(this.rows * queries);
    this.pads.forEach((pad, b) => {
      for (let q = 0; q < queries; q++) data[b * queries + q] = Math.max(0, start + q - pad);
    });
    return new HostTensor('i32', [this.rows, queries], data);
  }
}

/** input_ids [B, Tq]: the tokens at slots start..start+Tq-1 of each row's slot sequence. */
export function inputIds(
  slots: readonly (readonly number[])[],
  start: number,
  queries: number,
): HostTensor<'i32'> {
  const data = new Int32Array(slots.length * queries);
  slots.forEach((row, b) => {
    data.set(row.slice(start, start + queries), b * queries);
  });
  return new HostTensor('i32', [slots.length, queries], data);
}
