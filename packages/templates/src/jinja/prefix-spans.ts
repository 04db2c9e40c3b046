import type { ChatMessage, ChatSpan } from '@tunekit/core';
import { messageText } from '../conversation/index.js';
import { SpanError } from './span-error.js';

/** Renders a conversation: `generationPrompt` is HF's add_generation_prompt. */
export type RenderConversation = (
  messages: readonly ChatMessage[],
  generationPrompt: boolean,
) => string;

export interface SpanOptions {
  readonly label: string;
  readonly eosToken?: string;
}

/**
 * The span of assistant turn `messages[index]` found by rendering prefixes of the conversation,
 * the fallback for a turn whose content markers the template does not keep (see marker-spans.ts):
 * - the turn starts where the conversation before it, rendered with the generation prompt, ends;
 * - it ends where the conversation up to it, rendered without one, ends, less the fixed suffix
 *   some templates close every conversation with (what an empty conversation renders to);
 * - the eos token is taken in when the template writes it right after the turn only once more
 *   follows (Qwen1.5 leaves `<|im_end|>` off a final message);
 * - trailing whitespace after the end-of-turn token is left out: the model never generates it.
 * A turn for which these texts do not line up is an error that says so.
 */
export function assistantSpanByPrefixes(
  render: RenderConversation,
  messages: readonly ChatMessage[],
  index: number,
  full: string,
  opts: SpanOptions,
): ChatSpan | undefined {
  const before = render(messages.slice(0, index), true);
  const through = render(messages.slice(0, index + 1), false);
  if (!through.startsWith(before) || !full.startsWith(before)) {
    throw cannotTell(
      opts.label,
      index,
      'where it starts: the text before it, with the generation prompt, is not a prefix of the text with it',
    );
  }
  const closing = closingText(render);
  const open =
    closing !== '' && through.endsWith(closing) ? through.slice(0, -closing.length) : undefined;
  let end = open !== undefined && full.startsWith(open) ? open.length : through.length;
  if (!full.startsWith(through.slice(0, end))) {
    throw cannotTell(
      opts.label,
      index,
      'where it ends: the conversation up to it is not a prefix of the whole conversation (the template renders a turn differently once more turns follow)',
    );
  }
  end = withEos(full, before.length, trimEnd(full, before.length, end), opts.eosToken);
  const content = messageText(messages[index]).trim();
  if (content !== '' && !full.slice(before.length, end).includes(content)) {
    throw cannotTell(opts.label, index, 'its content: the text found for it does not contain it');
  }
  return end > before.length ? { role: 'assistant', start: before.length, end } : undefined;
}

/** `end` moved back over whitespace, not before `start`. */
export function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1])) e--;
  return e;
}

/** `end` moved past the eos token when the text there does not end with it but is followed by it. */
export function withEos(text: string, start: number, end: number, eos: string | undefined): number {
  if (eos === undefined || eos === '' || text.slice(start, end).endsWith(eos)) return end;
  return text.startsWith(eos, end) ? end + eos.length : end;
}

/**
 * What an empty conversation renders to: the fixed text some templates close every conversation
 * with (Phi-3's eos, CodeLlama-70b's `Source: assistant` header). Templates that index
 * `messages[0]` fail on it, which means none.
 */
export function closingText(render: RenderConversation): string {
  try {
    return render([], false);
  } catch {
    return '';
  }
}

export function cannotTell(label: string, index: number, what: string): SpanError {
  return new SpanError(
    `${label}: cannot tell which text of assistant turn messages[${index}] to train on, because cannot tell ${what}; mark the assistant text in the chat_template with {% generation %}...{% endgeneration %}`,
  );
}
