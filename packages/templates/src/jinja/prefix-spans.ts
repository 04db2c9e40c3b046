import { type ChatMessage, type ChatSpan, UserError } from '@tunekit/core';
import { messageText } from '../conversation/index.js';

/** Renders a conversation: `generationPrompt` is HF's add_generation_prompt. */
export type RenderConversation = (
  messages: readonly ChatMessage[],
  generationPrompt: boolean,
) => string;

/**
 * The assistant spans of a Jinja-rendered conversation, found without rules per model by
 * rendering growing prefixes and comparing texts:
 * - a turn starts where the conversation before it, rendered with the generation prompt, ends;
 * - it ends where the conversation up to it, rendered without one, ends. Some templates close
 *   every conversation with a fixed suffix (Phi-3 appends eos_token); that suffix is what an
 *   empty conversation renders to, and it is not part of the turn;
 * - the eos token is taken in when the template writes it right after the turn only once more
 *   follows (Qwen1.5 leaves `<|im_end|>` off a final message);
 * - trailing whitespace after the end-of-turn token is left out: the model never generates it.
 * A template for which these texts do not line up is an error that says so.
 */
export function assistantSpansByPrefixes(
  render: RenderConversation,
  messages: readonly ChatMessage[],
  full: string,
  opts: { readonly label: string; readonly eosToken?: string },
): ChatSpan[] {
  const closing = renderOrEmpty(render);
  const spans: ChatSpan[] = [];
  messages.forEach((message, i) => {
    if (message.role !== 'assistant') return;
    const before = render(messages.slice(0, i), true);
    const through = render(messages.slice(0, i + 1), false);
    if (!through.startsWith(before) || !full.startsWith(before)) {
      throw cannotTell(
        opts.label,
        i,
        'where it starts: the text before it, with the generation prompt, is not a prefix of the text with it',
      );
    }
    let end = turnEnd(through, closing, full);
    if (end === undefined) {
      throw cannotTell(
        opts.label,
        i,
        'where it ends: the conversation up to it is not a prefix of the whole conversation (the template renders a turn differently once more turns follow)',
      );
    }
    end = trimEndIndex(full, before.length, end);
    const eos = opts.eosToken;
    if (
      eos !== undefined &&
      eos !== '' &&
      !full.slice(before.length, end).endsWith(eos) &&
      full.startsWith(eos, end)
    ) {
      end += eos.length;
    }
    const content = messageText(message).trim();
    if (content !== '' && !full.slice(before.length, end).includes(content)) {
      throw cannotTell(opts.label, i, 'its content: the text found for it does not contain it');
    }
    if (end > before.length) spans.push({ role: 'assistant', start: before.length, end });
  });
  return spans;
}

function turnEnd(through: string, closing: string, full: string): number | undefined {
  if (closing !== '' && through.endsWith(closing)) {
    const open = through.slice(0, -closing.length);
    if (full.startsWith(open)) return open.length;
  }
  return full.startsWith(through) ? through.length : undefined;
}

function trimEndIndex(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1])) e--;
  return e;
}

/** An empty conversation's text; templates that index `messages[0]` fail on it, which means none. */
function renderOrEmpty(render: RenderConversation): string {
  try {
    return render([], false);
  } catch {
    return '';
  }
}

function cannotTell(label: string, index: number, what: string): UserError {
  return new UserError(
    `${label}: cannot tell which text of assistant turn messages[${index}] to train on, because cannot tell ${what}; mark the assistant text in the chat_template with {% generation %}...{% endgeneration %}`,
  );
}
