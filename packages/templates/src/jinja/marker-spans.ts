import type { ChatMessage, ChatSpan } from '@tunekit/core';
import {
  assistantSpanByPrefixes,
  cannotTell,
  closingText,
  type RenderConversation,
  type SpanOptions,
  trimEnd,
  withEos,
} from './prefix-spans.js';

// Private-use characters that mark where the content of the k-th assistant turn opens
// (FIRST + 2k) and closes (FIRST + 2k + 1); generation-blocks.ts uses U+E000 and U+E001.
const FIRST = 0xe100;
const LAST = 0xf8ff;
const MAX_TURNS = (LAST - FIRST + 1) >> 1;
const opening = (k: number) => String.fromCharCode(FIRST + 2 * k);
const closing = (k: number) => String.fromCharCode(FIRST + 2 * k + 1);
const isMarker = (code: number) => code >= FIRST && code <= LAST;

/** A render with its markers taken out, and where each marker stood in what is left. */
interface Stripped {
  readonly text: string;
  readonly at: ReadonlyMap<string, readonly number[]>;
}

/** Where `marker` stood, when it stood exactly once. */
function once(stripped: Stripped | undefined, marker: string): number | undefined {
  const positions = stripped?.at.get(marker);
  return positions?.length === 1 ? positions[0] : undefined;
}

function strip(marked: string): Stripped {
  const at = new Map<string, number[]>();
  const parts: string[] = [];
  let length = 0;
  let from = 0;
  for (let i = 0; i < marked.length; i++) {
    if (!isMarker(marked.charCodeAt(i))) continue;
    parts.push(marked.slice(from, i));
    length += i - from;
    from = i + 1;
    const list = at.get(marked[i]) ?? [];
    list.push(length);
    at.set(marked[i], list);
  }
  parts.push(marked.slice(from));
  return { text: parts.join(''), at };
}

/**
 * The assistant spans of a rendered conversation, found without rules per model. Each assistant
 * message's content is wrapped in markers of its own and the conversation rendered again: with
 * the markers taken out, that render must equal the real one, and the markers then say where
 * each content starts and ends in the real text, however the template frames, repeats or closes
 * turns (fixed endings, default system prompts, eos only after a final turn). A template that
 * rewrites contents (Qwen3 and DeepSeek-R1 drop the `<think>` block of earlier turns) may drop an
 * opening marker with the text it drops; that turn's content then starts where the template's
 * header for it ends, found by rendering each content as its marker alone. A turn is followed by
 * its end-of-turn text: what the template writes after it both where the conversation goes on
 * and where it ends there (less the fixed closing), cut after the eos token, without trailing
 * whitespace. A turn the markers cannot place falls back to prefix renders (prefix-spans.ts).
 */
export function assistantSpans(
  render: RenderConversation,
  messages: readonly ChatMessage[],
  full: string,
  generationPrompt: boolean,
  opts: SpanOptions,
): ChatSpan[] {
  const turns = messages.flatMap((message, i) => (message.role === 'assistant' ? [i] : []));
  const usable = turns.length <= MAX_TURNS && !strip(full).at.size;
  const markers = usable
    ? new MarkedRenders(render, messages, turns, full, generationPrompt)
    : null;
  const spans: ChatSpan[] = [];
  turns.forEach((index, k) => {
    const previousEnd = spans.at(-1)?.end ?? 0;
    const marked = markers?.span(k, opts.eosToken);
    const span =
      marked === undefined
        ? assistantSpanByPrefixes(render, messages, index, full, opts)
        : fromPromptEnd(marked, promptBefore(render, messages, index), full, previousEnd);
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

/** The marked renders of one conversation, made once and read per turn. */
class MarkedRenders {
  private readonly opened?: Stripped;
  private readonly closed?: Stripped;
  private alone?: string | null;

  constructor(
    private readonly render: RenderConversation,
    private readonly messages: readonly ChatMessage[],
    private readonly turns: readonly number[],
    private readonly full: string,
    private readonly generationPrompt: boolean,
  ) {
    // Both markers in one render, or each alone when together they change the text (a template
    // that tests what a content starts with).
    const both = this.strippedRender(true, true);
    this.opened = both ?? this.strippedRender(true, false);
    this.closed = both ?? this.strippedRender(false, true);
  }

  /** The span of the k-th assistant turn, or undefined when the markers cannot place it. */
  span(k: number, eos: string | undefined): ChatSpan | undefined {
    const end = once(this.closed, closing(k));
    if (end === undefined) return undefined;
    const start = once(this.opened, opening(k)) ?? this.headerEnd(k, end);
    if (start === undefined || start > end) return undefined;
    const stop = withEos(this.full, start, this.endOfTurn(k, end, eos), eos);
    return stop > start ? { role: 'assistant', start, end: stop } : undefined;
  }

  /**
   * Where turn k's content starts when its opening marker was dropped: render every content as
   * its opening marker alone, and read the template's text from the turn before up to it. Where
   * the real text keeps to that text, the content starts after it; where it departs from it (the
   * template frames a content by what is in it), the content starts as far back as the real text
   * before `end` is the content's own.
   */
  private headerEnd(k: number, end: number): number | undefined {
    const base = k === 0 ? 0 : once(this.closed, closing(k - 1));
    if (base === undefined || base > end) return undefined;
    this.alone ??= this.rawRender((message, k) => ({ ...message, content: opening(k) }));
    const at = this.alone?.indexOf(opening(k)) ?? -1;
    if (this.alone == null || at < 0) return undefined;
    const from = k === 0 ? 0 : this.alone.indexOf(opening(k - 1)) + 1;
    if (from === 0 && k > 0) return undefined;
    const header = this.alone.slice(from, at);
    const kept = commonPrefix(header, this.full.slice(base, end));
    if (kept === header.length) return base + kept;
    const content = this.messages[this.turns[k]].content;
    let own = 0;
    while (own < end - base && content.at(-1 - own) === this.full[end - 1 - own]) own++;
    return end - own;
  }

  /**
   * Where turn k's end-of-turn text ends: the text after its content that the template writes
   * both here and when the conversation ends with this turn (less the closing every conversation
   * gets), cut after the eos token, or else at the last whitespace where the two go separate
   * ways, so that no part of the next turn's header is taken in.
   */
  private endOfTurn(k: number, end: number, eos: string | undefined): number {
    const next = this.nextMarker(k, end);
    const here = this.full.slice(end, next);
    const alone = this.afterLastTurn(k);
    let length = commonPrefix(here, alone);
    const eosAt = eos ? here.slice(0, length).indexOf(eos) : -1;
    if (eos && eosAt >= 0) length = eosAt + eos.length;
    else if (length < here.length && length < alone.length) {
      length = Math.max(0, here.slice(0, length).search(/\s\S*$/));
    }
    return trimEnd(this.full, end, end + length);
  }

  /** The text after turn k's content when the conversation ends with it, less the closing. */
  private afterLastTurn(k: number): string {
    const index = this.turns[k];
    const through = this.strippedRender(false, true, index + 1, false, false);
    const at = once(through, closing(k));
    if (through === undefined || at === undefined) return '';
    const after = through.text.slice(at);
    const close = closingText(this.render);
    return close !== '' && after.endsWith(close) ? after.slice(0, -close.length) : after;
  }

  /** The first marker of a later turn at or after `from`, or the end of the text. */
  private nextMarker(k: number, from: number): number {
    let next = this.full.length;
    for (let later = k + 1; later < this.turns.length; later++) {
      for (const at of [once(this.opened, opening(later)), once(this.closed, closing(later))]) {
        if (at !== undefined && at >= from) next = Math.min(next, at);
      }
    }
    return next;
  }

  /** A render with markers around the contents, stripped; undefined unless it equals the text. */
  private strippedRender(
    open: boolean,
    close: boolean,
    count = this.messages.length,
    prompt = this.generationPrompt,
    mustEqual = true,
  ): Stripped | undefined {
    const raw = this.rawRender(
      (message, k) => ({
        ...message,
        content: `${open ? opening(k) : ''}${message.content}${close ? closing(k) : ''}`,
      }),
      count,
      prompt,
    );
    if (raw == null) return undefined;
    const stripped = strip(raw);
    return !mustEqual || stripped.text === this.full ? stripped : undefined;
  }

  /** The first `count` messages rendered with each assistant content rewritten; null if it fails. */
  private rawRender(
    rewrite: (message: ChatMessage, k: number) => ChatMessage,
    count = this.messages.length,
    prompt = this.generationPrompt,
  ): string | null {
    const messages = this.messages.slice(0, count).map((message, i) => {
      const k = this.turns.indexOf(i);
      return k >= 0 && typeof message.content === 'string' ? rewrite(message, k) : message;
    });
    try {
      return this.render(messages, prompt);
    } catch {
      return null;
    }
  }
}

/** How many characters `a` and `b` share at their start. */
function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
