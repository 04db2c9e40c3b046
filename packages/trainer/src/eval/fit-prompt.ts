/** A prompt's token ids as generated, and the most new tokens its answer may take. */
export interface FittedPrompt {
  readonly ids: readonly number[];
  readonly maxNewTokens: number;
}

/**
 * Fits a prompt and its answer into the model's `positions`: the answer may take `maxNewTokens`,
 * or what the positions leave beside the prompt when that is less. A prompt that leaves no
 * position keeps its last tokens, so that its answer gets `maxNewTokens` (at most half the
 * positions).
 */
export function fitPrompt(
  ids: readonly number[],
  maxNewTokens: number,
  positions: number,
): FittedPrompt {
  const reserve = Math.min(maxNewTokens, Math.max(1, Math.floor(positions / 2)));
  const kept = ids.length < positions ? ids : ids.slice(ids.length - (positions - reserve));
  return { ids: kept, maxNewTokens: Math.min(maxNewTokens, positions - kept.length) };
}
