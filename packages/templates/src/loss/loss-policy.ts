import { UserError } from '@tunekit/core';
import type { RenderedExample } from '../records/index.js';

/**
 * Which text the loss is on:
 * - `assistant` (default): every assistant turn, end-of-turn token included (TRL's assistant_only_loss);
 * - `last_assistant`: only the last assistant turn;
 * - `completion_only`: the completion of prompt/completion and Alpaca records, never the prompt
 *   (TRL's completion_only_loss);
 * - `all`: every token (plain language modelling).
 * Plain-text records are trained on whole under every policy.
 */
export const LOSS_POLICIES = ['assistant', 'last_assistant', 'completion_only', 'all'] as const;
export type LossPolicy = (typeof LOSS_POLICIES)[number];

/** A `[start, end)` range of the rendered text that carries loss. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** The ranges of `example.text` the policy trains on, in text order. */
export function supervisedRanges(
  example: RenderedExample,
  policy: LossPolicy,
  where: string,
): TextRange[] {
  if (policy === 'all' || example.source === 'text')
    return [{ start: 0, end: example.text.length }];
  const assistant = example.spans.filter((span) => span.role === 'assistant');
  switch (policy) {
    case 'assistant':
      return assistant;
    case 'last_assistant':
      return assistant.slice(-1);
    case 'completion_only':
      if (example.source !== 'completion') {
        throw new UserError(
          `${where}: loss policy 'completion_only' trains on the completion of prompt/completion or instruction records, but this record is a conversation; use 'assistant' or 'last_assistant'`,
        );
      }
      return assistant;
  }
}
