import { UserError } from '@tunekit/core';
import { pyRstrip, pySplit, tokenize13a } from './tokenize-13a.js';

// sacrebleu's corpus BLEU with its defaults (sacrebleu/metrics/bleu.py, BLEU()): 13a tokenizer,
// case kept, n-grams up to 4, the brevity penalty against the closest reference length, and
// smooth_method='exp' (mteval-v13a's smoothing: the k-th order with no match counts as
// 1 / (2^k * total)). Scores are on sacrebleu's 0-100 scale.

/** BLEU's longest n-grams: a segment shorter than this has none, and adds nothing of that order. */
export const MAX_NGRAM_ORDER = 4;

/** The sufficient statistics of BLEU, summed over a corpus. */
export interface BleuStatistics {
  /** Hypothesis tokens. */
  readonly sysLen: number;
  /** For each hypothesis, the length of the reference closest to it (ties: the shorter). */
  readonly refLen: number;
  /** Matched n-grams of each order 1..4, each clipped by its largest count in one reference. */
  readonly correct: readonly number[];
  /** Hypothesis n-grams of each order 1..4. */
  readonly total: readonly number[];
}

export interface BleuScore extends BleuStatistics {
  /** 0-100. */
  readonly score: number;
  /** Per order, in percent (smoothed where no n-gram matched). */
  readonly precisions: readonly number[];
  /** Brevity penalty. */
  readonly bp: number;
}

/**
 * sacrebleu's `corpus_bleu(hypotheses, references)`: `references` is a list of reference streams,
 * each holding one reference per hypothesis (`references[k][i]` is the k-th reference of
 * hypothesis i), as sacrebleu takes them.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
): BleuScore {
  references.forEach((stream, k) => {
    if (stream.length !== hypotheses.length)
      throw new UserError(
        `corpusBleu: reference stream ${k} has ${stream.length} segments, but there are ${hypotheses.length} hypotheses`,
      );
  });
  const correct = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  const total = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((hypothesis, i) => {
    const refs = references.map((stream) => wordNgrams(stream[i]));
    const hyp = wordNgrams(hypothesis);
    sysLen += hyp.length;
    refLen += closestRefLength(
      hyp.length,
      refs.map((r) => r.length),
    );
    // each n-gram's largest count in any one reference
    const refMax = new Map<string, number>();
    for (const ref of refs)
      for (const [ngram, count] of ref.counts)
        refMax.set(ngram, Math.max(refMax.get(ngram) ?? 0, count));
    for (const [ngram, count] of hyp.counts) {
      const n = ngram.split(' ').length - 1;
      total[n] += count;
      correct[n] += Math.min(count, refMax.get(ngram) ?? 0);
    }
  });
  return computeBleu({ sysLen, refLen, correct, total });
}

/** sacrebleu's `BLEU.compute_bleu` with smooth_method='exp' and no effective order. */
export function computeBleu(stats: BleuStatistics): BleuScore {
  const { sysLen, refLen, correct, total } = stats;
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  const result = { ...stats, bp, precisions };
  // no match of any order scores 0 (sacrebleu issue #141)
  if (!correct.some((c) => c !== 0)) return { ...result, score: 0 };
  let smoothMteval = 1;
  for (let n = 1; n <= MAX_NGRAM_ORDER; n++) {
    if (total[n - 1] === 0) break;
    if (correct[n - 1] === 0) {
      smoothMteval *= 2;
      precisions[n - 1] = 100 / (smoothMteval * total[n - 1]);
    } else {
      precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
    }
  }
  const logSum = precisions.reduce((sum, p) => sum + myLog(p), 0);
  return { ...result, score: bp * Math.exp(logSum / MAX_NGRAM_ORDER) };
}

/** sacrebleu's `my_log`: a precision of 0 (an order with no n-grams at all) sinks the score to 0. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/** sacrebleu's `_get_closest_ref_len`: the nearest reference length, the shorter on a tie. */
function closestRefLength(hypLen: number, refLens: readonly number[]): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = len;
    } else if (diff === closestDiff && len < closestLen) {
      closestLen = len;
    }
  }
  return closestLen;
}

/** Every n-gram of orders 1..4 of a segment (space-joined, tokens hold no spaces), and its length. */
function wordNgrams(segment: string): { counts: Map<string, number>; length: number } {
  const tokens = bleuTokens(segment);
  const counts = new Map<string, number>();
  for (let n = 1; n <= MAX_NGRAM_ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const ngram = tokens.slice(i, i + n).join(' ');
      counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
    }
  }
  return { counts, length: tokens.length };
}

/** The words BLEU counts in a segment (sacrebleu's _preprocess_segment: rstrip, then 13a). */
export function bleuTokens(segment: string): string[] {
  return pySplit(tokenize13a(pyRstrip(segment)));
}
