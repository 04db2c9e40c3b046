import type { Tokenizer } from '@tunekit/core';
import type { RenderedExample } from '../records/index.js';
import { type LossPolicy, supervisedRanges, type TextRange } from './loss-policy.js';

/** The label of a token that carries no loss (PyTorch's cross-entropy `ignore_index`). */
export const IGNORE_INDEX = -100;

/** What tokenisation needs of a tokenizer; core's `Tokenizer` has it. */
export type TemplateTokenizer = Pick<Tokenizer, 'encodeWithOffsets' | 'bosTokenId'>;

export interface TokenizeOptions {
  /** Names the record in errors and reports, e.g. `data.jsonl:12`. */
  readonly where: string;
  readonly lossPolicy?: LossPolicy;
  /** Keep at most this many tokens (the end is cut, as transformers' truncation does). */
  readonly maxLength?: number;
}

/** One training example, keys as transformers names them; labels line up with input_ids. */
export interface TokenizedExample {
  readonly input_ids: number[];
  /** The token id where the loss is on, IGNORE_INDEX elsewhere; the model shifts them. */
  readonly labels: number[];
  readonly attention_mask: number[];
  /** Tokens whose label is not IGNORE_INDEX. */
  readonly supervisedTokens: number;
  /** Tokens cut by maxLength. */
  readonly truncatedTokens: number;
  /** The template wrote BOS and the tokenizer added one too; the added one was dropped. */
  readonly doubleBos: boolean;
}

/**
 * Tokenises a rendered example and labels each token from the character ranges the loss policy
 * picks: a token carries loss when its offsets overlap a range, so labels follow token
 * boundaries whatever the tokenizer merges. Tokens the tokenizer adds (offsets `[0, 0]`) carry
 * loss only under `all`. Labels come from positions, never from token ids, so an end-of-turn
 * token equal to the pad token is still trained.
 */
export function tokenizeExample(
  example: RenderedExample,
  tokenizer: TemplateTokenizer,
  opts: TokenizeOptions,
): TokenizedExample {
  const policy = opts.lossPolicy ?? 'assistant';
  const ranges = supervisedRanges(example, policy, opts.where);
  let { ids, offsets } = tokenizer.encodeWithOffsets(example.text, { addSpecialTokens: true });
  const doubleBos = startsWithTwoBos(ids, offsets, tokenizer.bosTokenId);
  if (doubleBos) {
    ids = ids.slice(1);
    offsets = offsets.slice(1);
  }
  const keep = opts.maxLength === undefined ? ids.length : Math.min(ids.length, opts.maxLength);
  const input_ids = ids.slice(0, keep);
  const labels = input_ids.map((id, i) =>
    carriesLoss(offsets[i], ranges, policy) ? id : IGNORE_INDEX,
  );
  return {
    input_ids,
    labels,
    attention_mask: input_ids.map(() => 1),
    supervisedTokens: labels.filter((label) => label !== IGNORE_INDEX).length,
    truncatedTokens: ids.length - keep,
    doubleBos,
  };
}

/** An added BOS (offsets `[0, 0]`) followed by the BOS the template wrote. */
function startsWithTwoBos(
  ids: readonly number[],
  offsets: readonly [number, number][],
  bos: number | undefined,
): boolean {
  return (
    bos !== undefined &&
    ids.length >= 2 &&
    ids[0] === bos &&
    ids[1] === bos &&
    offsets[0][0] === offsets[0][1] &&
    offsets[1][1] > offsets[1][0]
  );
}

function carriesLoss(
  [start, end]: [number, number],
  ranges: readonly TextRange[],
  policy: LossPolicy,
): boolean {
  if (start === end) return policy === 'all';
  return ranges.some((range) => start < range.end && end > range.start);
}
