import type { ChatMessage } from '@tunekit/core';

/**
 * TRL's `extract_prompt` for pairs without a `prompt`: the longest common prefix of `chosen` and
 * `rejected` is the prompt, the rest of each its answer. Texts split at a character (stepping back
 * over the space before the first difference, as TRL does), message lists at a whole message.
 */
export function splitImplicitPrompt<T extends string | readonly ChatMessage[]>(
  chosen: T,
  rejected: T,
): { prompt: T; chosen: T; rejected: T } {
  const same = (a: unknown, b: unknown) =>
    typeof a === 'string' ? a === b : JSON.stringify(a) === JSON.stringify(b);
  let idx = 0;
  while (idx < Math.min(chosen.length, rejected.length) && same(chosen[idx], rejected[idx])) idx++;
  if (typeof chosen === 'string' && idx > 0 && chosen[idx - 1] === ' ') idx--;
  return {
    prompt: chosen.slice(0, idx) as T,
    chosen: chosen.slice(idx) as T,
    rejected: rejected.slice(idx) as T,
  };
}
