// ROUGE as Google's rouge-score package computes it with its defaults
// (rouge_score/rouge_scorer.py, RougeScorer(['rouge1', 'rouge2', 'rougeL'], use_stemmer=False)):
// lowercase, every run of characters other than a-z and 0-9 separates tokens, no stemming;
// ROUGE-N from clipped n-gram overlap, ROUGE-L from the longest common subsequence of the two
// token sequences (sentence-level, not the newline-split rougeLsum).

export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

export interface RougeScores {
  readonly rouge1: RougeScore;
  readonly rouge2: RougeScore;
  readonly rougeL: RougeScore;
}

/** rouge-score's `tokenize.tokenize(text, stemmer=None)`. */
export function rougeTokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((token) => token !== '');
}

/** `RougeScorer.score(target, prediction)` for rouge1, rouge2 and rougeL; note the argument order. */
export function rougeScores(target: string, prediction: string): RougeScores {
  const t = rougeTokenize(target);
  const p = rougeTokenize(prediction);
  return { rouge1: rougeN(t, p, 1), rouge2: rougeN(t, p, 2), rougeL: rougeL(t, p) };
}

/** ROUGE-N of token lists: n-gram overlap, each n-gram counted at most as often as in both. */
export function rougeN(
  target: readonly string[],
  prediction: readonly string[],
  n: number,
): RougeScore {
  const targetNgrams = ngrams(target, n);
  const predictionNgrams = ngrams(prediction, n);
  let overlap = 0;
  for (const [ngram, count] of targetNgrams)
    overlap += Math.min(count, predictionNgrams.get(ngram) ?? 0);
  const precision = overlap / Math.max(sum(predictionNgrams.values()), 1);
  const recall = overlap / Math.max(sum(targetNgrams.values()), 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** ROUGE-L of token lists: precision and recall of their longest common subsequence. */
export function rougeL(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0)
    return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** The harmonic mean, 0 when both are 0 (rouge-score's scoring.fmeasure). */
function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const ngram = tokens.slice(i, i + n).join(' ');
    counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
  }
  return counts;
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Length of the longest common subsequence, by the usual dynamic programme, one row at a time. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++)
      row[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]);
    previous = row;
  }
  return previous[b.length];
}
