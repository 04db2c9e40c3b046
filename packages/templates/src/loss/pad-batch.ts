import { IGNORE_INDEX, type TokenizedExample } from './tokenize-example.js';

export interface PaddedBatch {
  readonly input_ids: number[][];
  readonly labels: number[][];
  readonly attention_mask: number[][];
}

export interface PadOptions {
  readonly padTokenId: number;
  /** Pad to this length (a bucket); default the longest example. */
  readonly length?: number;
  /** Right for training (transformers' default); left for batched generation. */
  readonly side?: 'right' | 'left';
}

/**
 * Pads examples to one length. Padding is known by position, never by token id: pad positions
 * get attention 0 and label IGNORE_INDEX, and a real token equal to the pad token (eos used as
 * pad) keeps its label, which is what lets the model learn to stop.
 */
export function padBatch(
  examples: readonly Pick<TokenizedExample, 'input_ids' | 'labels' | 'attention_mask'>[],
  opts: PadOptions,
): PaddedBatch {
  const longest = Math.max(0, ...examples.map((e) => e.input_ids.length));
  const length = opts.length ?? longest;
  if (longest > length) {
    throw new RangeError(
      `padBatch: an example has ${longest} tokens, more than the length ${length}`,
    );
  }
  const pad = <T>(row: readonly T[], value: T): T[] => {
    const fill = Array.from({ length: length - row.length }, () => value);
    return opts.side === 'left' ? [...fill, ...row] : [...row, ...fill];
  };
  return {
    input_ids: examples.map((e) => pad(e.input_ids, opts.padTokenId)),
    labels: examples.map((e) => pad(e.labels, IGNORE_INDEX)),
    attention_mask: examples.map((e) => pad(e.attention_mask, 0)),
  };
}
