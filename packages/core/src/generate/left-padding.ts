import { HostTensor } from '../tensor/index.js';

/**
 * A batch of prompts left-padded to one width: row b's prompt fills slots [pads[b], width), so every
 * row's next token goes to the same slot and one graph serves the whole batch. Slots are positions
 * in the KV cache (or in the recomputed sequence without one). A KV cache may hold `prefix` slots
 * before them (a prefix-family adapter's tokens, see CausalLM.tracePrefix): row slot s is cache
 * slot prefix + s, every query sees the prefix, and real tokens count their positions from it.
 */
export class LeftPaddedBatch {
  /** Pad slots at the start of each row. */
  readonly pads: readonly number[];

  constructor(
    promptLengths: readonly number[],
    readonly width: number,
    readonly prefix = 0,
  ) {
    this.pads = promptLengths.map((n) => width - n);
  }

  get rows(): number {
    return this.pads.length;
  }

  /**
   * The additive mask [B, 1, Tq, Tk] for queries at slots start..start+Tq-1 over keys at cache
   * slots 0..Tk-1: key l is visible (0) to the query at cache slot p iff l is a prefix slot, or
   * l <= p and l is not a pad slot of the row; else -inf. A pad query sees only the prefix (or
   * nothing); no real query reads it.
   */
  attentionMask(start: number, queries: number, keys: number): HostTensor<'f32'> {
    const data = new Float32Array(this.rows * queries * keys).fill(Number.NEGATIVE_INFINITY);
    const n = this.prefix;
    this.pads.forEach((pad, b) => {
      for (let q = 0; q < queries; q++) {
        const row = (b * queries + q) * keys;
        data.fill(0, row, row + Math.min(n, keys));
        for (let l = n + pad; l <= Math.min(n + start + q, keys - 1); l++) data[row + l] = 0;
      }
    });
    return new HostTensor('f32', [this.rows, 1, queries, keys], data);
  }

  /**
   * position_ids [B, Tq] of the slots start..start+Tq-1: real tokens count from `prefix` in each row
   * (as HF derives them from the attention mask, and PEFT offsets them past a prefix), pad slots
   * get `prefix`.
   */
  positionIds(start: number, queries: number): HostTensor<'i32'> {
    const data = new Int32Array(this.rows * queries);
    this.pads.forEach((pad, b) => {
      for (let q = 0; q < queries; q++)
        data[b * queries + q] = this.prefix + Math.max(0, start + q - pad);
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
