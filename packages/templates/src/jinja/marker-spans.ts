import type { ChatMessage, ChatSpan } from '@tunekit/core';
import { MarkedRenders, markersFit } from './marked-renders.js';
import { hasContent } from './message-content.js';
import {
  assistantSpanByPrefixes,
  cannotTell,
  type RenderConversation,
  type SpanOptions,
} from './prefix-spans.js';

/**
 * The assistant spans of a rendered conversation, found without rules per model. Each assistant
 * message's content is wrapped in markers of its own and the conversation rendered again: with
 * the markers taken out, that render must equal the real one, and the markers then say where
 * each content starts and ends in the real text, however the template frames, repeats or closes
 * turns (fixed endings, default system prompts, eos only after a final turn). A template that
 * rewrites contents (Qwen3 and DeepSeek-R1 drop the `<think>` block of earlier turns) may drop an
 * opening marker with the text it drops; that turn's content then starts where the template's
 * header for it ends, found by rendering each content as its marker alone. A span starts where
 * the generation prompt ends when that is earlier (the model writes what follows the prompt),
 * and takes in the end-of-turn text (see `endOfTurn`). A turn with no content (a tool call) is
 * placed by prefix renders, else by markers for it alone (`emptySpan`); a turn the markers cannot
 * place falls back to prefix renders (prefix-spans.ts).
 */
export function assistantSpans(
  render: RenderConversation,
  messages: readonly ChatMessage[],
  full: string,
  generationPrompt: boolean,
  opts: SpanOptions,
): ChatSpan[] {
  const turns = messages.flatMap((message, i) => (message.role === 'assistant' ? [i] : []));
  const markers = markersFit(turns.length, full)
    ? new MarkedRenders(render, messages, turns, full, generationPrompt)
    : null;
  const prefixes = (index: number) => assistantSpanByPrefixes(render, messages, index, full, opts);
  const spans: ChatSpan[] = [];
  turns.forEach((index, k) => {
    const previousEnd = spans.at(-1)?.end ?? 0;
    const promptEnd = (marked: ChatSpan | undefined) =>
      marked && fromPromptEnd(marked, promptBefore(render, messages, index), full, previousEnd);
    let span: ChatSpan | undefined;
    if (hasContent(messages[index])) {
      span = promptEnd(markers?.span(k, opts.eosToken)) ?? prefixes(index);
    } else {
      try {
        span = prefixes(index);
      } catch (error) {
        span = promptEnd(markers?.emptySpan(k, opts.eosToken));
        if (span === undefined) throw error;
      }
    }
    if (span === undefined) return;
    if (span.start < previousEnd) {
      throw cannotTell(opts.label, index, 'where it starts: it overlaps the turn before it');
    }
    spans.push(span);
  });
  return spans;
}

/**
 * `span` started where the generation prompt ends, when the text before the turn rendered with
 * it is the real text up to there: the model writes what follows the prompt (the space Mistral
 * puts before an answer, the `<plain>` firefunction puts before one), so it is trained on it.
 */
function fromPromptEnd(
  span: ChatSpan,
  prompt: string | undefined,
  full: string,
  previousEnd: number,
): ChatSpan {
  const start = prompt?.length ?? span.start;
  return prompt !== undefined &&
    full.startsWith(prompt) &&
    start >= previousEnd &&
    start < span.start
    ? { ...span, start }
    : span;
}

/** The messages before `index` rendered with the generation prompt; undefined if that fails. */
function promptBefore(
  render: RenderConversation,
  messages: readonly ChatMessage[],
  index: number,
): string | undefined {
  try {
    return render(messages.slice(0, index), true);
  } catch {
    return undefined;
  }
}
