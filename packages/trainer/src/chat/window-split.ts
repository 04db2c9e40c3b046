import type { TurnTooLongError } from '@tunekit/templates';

/** How a chat divides the model's positions between the conversation and each answer. */
export interface WindowSplit {
  readonly positions: number;
  /** Most tokens per answer. */
  readonly maxNewTokens: number;
  /** Most tokens the rendered conversation may take: the positions less maxNewTokens. */
  readonly historyTokens: number;
  /** Said once when the asked-for answer length was cut down. */
  readonly notice?: string;
}

/**
 * The split for answers of `requested` tokens at most (max_new_tokens; default 256, or half the
 * positions when fewer). A length that leaves the conversation no position is cut to half the
 * positions, with a notice.
 */
export function splitWindow(requested: number | undefined, positions: number): WindowSplit {
  const half = Math.max(1, Math.floor(positions / 2));
  if (requested === undefined) return split(positions, Math.min(256, half));
  if (requested < positions) return split(positions, requested);
  return {
    ...split(positions, half),
    notice: `note: max_new_tokens ${requested} leaves no room for the conversation in the model's ${positions} positions (max_position_embeddings); answers are cut to ${half} tokens`,
  };
}

function split(positions: number, maxNewTokens: number): WindowSplit {
  return { positions, maxNewTokens, historyTokens: positions - maxNewTokens };
}

/** Why a turn was refused: what it needs against what the conversation may take. */
export function describeTurnTooLong(error: TurnTooLongError, window: WindowSplit): string {
  return (
    `this message does not fit the model's context: rendered through the chat template, with the system message if any, it takes ${error.tokens} tokens, ` +
    `the conversation may take ${window.historyTokens} (${window.positions} positions less ${window.maxNewTokens} for the answer, max_new_tokens); ` +
    'it was not sent, and the conversation goes on as before'
  );
}
