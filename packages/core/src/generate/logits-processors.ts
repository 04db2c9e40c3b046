import type { ResolvedGenerationConfig } from './generation-config.js';

/**
 * Rewrites one row's next-token scores in place, given the row's tokens so far (prompt included,
 * padding excluded). The same contract as transformers' LogitsProcessor, for one row.
 */
export type LogitsProcessor = (scores: Float64Array, tokens: readonly number[]) => void;

/**
 * HF's RepetitionPenaltyLogitsProcessor (CTRL): each token already in the sequence has its score
 * divided by `penalty` when positive and multiplied by it when negative, once however often it
 * occurred.
 */
export function repetitionPenalty(penalty: number): LogitsProcessor {
  return (scores, tokens) => {
    for (const t of new Set(tokens))
      scores[t] = scores[t] < 0 ? scores[t] * penalty : scores[t] / penalty;
  };
}

/** HF's TemperatureLogitsWarper: scores / temperature. */
export function temperatureWarper(temperature: number): LogitsProcessor {
  return (scores) => {
    for (let i = 0; i < scores.length; i++) scores[i] /= temperature;
  };
}

/** HF's TopKLogitsWarper: scores below the k-th largest become -inf (ties with it are kept). */
export function topKWarper(topK: number): LogitsProcessor {
  return (scores) => {
    const k = Math.min(Math.max(topK, 1), scores.length);
    const kth = Float64Array.from(scores).sort()[scores.length - k];
    for (let i = 0; i < scores.length; i++)
      if (scores[i] < kth) scores[i] = Number.NEGATIVE_INFINITY;
  };
}

/**
 * HF's TopPLogitsWarper (nucleus): sorted ascending, tokens whose cumulative probability is at most
 * 1 - top_p become -inf; the most likely token always stays. Among equal scores the lower id counts
 * as more likely, so a tiny top_p keeps exactly the greedy token.
 */
export function topPWarper(topP: number): LogitsProcessor {
  return (scores) => {
    const order = [...scores.keys()].sort((a, b) => scores[a] - scores[b] || b - a);
    const probs = softmax(scores);
    let cumulative = 0;
    for (const i of order.slice(0, -1)) {
      cumulative += probs[i];
      if (cumulative > 1 - topP) break;
      scores[i] = Number.NEGATIVE_INFINITY;
    }
  };
}

/**
 * The processors of a config in transformers' order: the repetition penalty, then, when sampling,
 * the warpers temperature, top-k and top-p. Greedy decoding applies only the penalty.
 */
export function logitsProcessors(config: ResolvedGenerationConfig): LogitsProcessor[] {
  const list: LogitsProcessor[] = [];
  if (config.repetition_penalty !== 1) list.push(repetitionPenalty(config.repetition_penalty));
  if (!isSampling(config)) return list;
  if (config.temperature !== 1) list.push(temperatureWarper(config.temperature));
  if (config.top_k !== 0) list.push(topKWarper(config.top_k));
  if (config.top_p < 1) list.push(topPWarper(config.top_p));
  return list;
}

/** Sampling happens with do_sample and a positive temperature; otherwise decoding is greedy. */
export function isSampling(config: ResolvedGenerationConfig): boolean {
  return config.do_sample && config.temperature > 0;
}

/** Probabilities of the scores (a -inf score gets 0). */
export function softmax(scores: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) max = Math.max(max, s);
  const p = scores.map((s) => Math.exp(s - max));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}
