import type { ChatMessage, ChatSpan } from '@tunekit/core';
import { contentText, hasContent, markContent } from './message-content.js';
import { closingText, type RenderConversation, trimEnd, withEos } from './prefix-spans.js';

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

/** True when markers can place `turns` assistant turns in `text`: none of their characters is in it. */
export function markersFit(turns: number, text: string): boolean {
  return turns <= MAX_TURNS && ![...text].some((char) => isMarker(char.charCodeAt(0)));
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

/** How an assistant message is rewritten for a marked render: its new fields, given its index k. */
type Mark = (message: ChatMessage, k: number) => Partial<ChatMessage> | undefined;

const wrap =
  (open: boolean, close: boolean): Mark =>
  (message, k) =>
    hasContent(message)
      ? ({
          content: markContent(message.content, open ? opening(k) : '', close ? closing(k) : ''),
        } as Partial<ChatMessage>)
      : undefined;

// A user message that follows a turn in a probe render (what a template writes after a turn
// whatever follows is its end-of-turn text), its content in the form the turn's has.
const probe = (turn: ChatMessage): ChatMessage => ({
  role: 'user',
  content: (Array.isArray(turn.content) ? [{ type: 'text', text: 'next' }] : 'next') as string,
});

/** The marked renders of one conversation, made once and read per turn. */
export class MarkedRenders {
  private readonly opened?: Stripped;
  private readonly closed?: Stripped;
  private alone?: string;
  private closingCache?: string;

  constructor(
    private readonly render: RenderConversation,
    private readonly messages: readonly ChatMessage[],
    private readonly turns: readonly number[],
    private readonly full: string,
    private readonly generationPrompt: boolean,
  ) {
    // Both markers in one render, or each alone when together they change the text (a template
    // that tests what a content starts with).
    const both = this.equalRender(wrap(true, true));
    this.opened = both ?? this.equalRender(wrap(true, false));
    this.closed = both ?? this.equalRender(wrap(false, true));
  }

  /** The span of the k-th assistant turn, or undefined when the markers cannot place it. */
  span(k: number, eos: string | undefined): ChatSpan | undefined {
    const end = once(this.closed, closing(k));
    if (end === undefined) return undefined;
    const start = once(this.opened, opening(k)) ?? this.headerEnd(k, end);
    if (start === undefined || start > end) return undefined;
    const here = this.full.slice(end, this.nextMarker(k, end));
    const stop = end + this.endOfTurn(here, this.endings(k, wrap(false, true)), eos);
    return this.spanOf(start, stop, eos);
  }

  /**
   * The span of the k-th assistant turn when it has no content (a tool call): its content
   * marked alone, where the template writes it beside the calls; else rendered as markers
   * without its calls (templates that write calls in place of content), the text before and
   * after the markers being the real text's start and end, and what lies between them the turn;
   * else from the generation prompt's end (`afterPrompt`).
   */
  emptySpan(k: number, eos: string | undefined): ChatSpan | undefined {
    const marked: Mark = (_, j) => (j === k ? { content: opening(k) + closing(k) } : undefined);
    const at = once(this.equalRender(marked), opening(k));
    if (at !== undefined) {
      return this.spanOf(
        at,
        at + this.endOfTurn(this.full.slice(at), this.endings(k, marked), eos),
        eos,
      );
    }
    return this.withoutCalls(k, eos) ?? this.afterPrompt(k, eos);
  }

  /** An empty turn rendered as markers without its calls, read as `emptySpan` says. */
  private withoutCalls(k: number, eos: string | undefined): ChatSpan | undefined {
    const bare: Mark = (_, j) =>
      j === k ? { content: opening(k) + closing(k), tool_calls: undefined } : undefined;
    const raw = this.renderMarked(bare);
    const open = raw?.indexOf(opening(k)) ?? -1;
    if (raw === undefined || open < 0 || raw[open + 1] !== closing(k)) return undefined;
    const before = raw.slice(0, open);
    const after = raw.slice(open + 2);
    if (
      before.length + after.length > this.full.length ||
      !this.full.startsWith(before) ||
      !this.full.endsWith(after)
    ) {
      return undefined;
    }
    const end = this.full.length - after.length;
    return this.spanOf(before.length, end + this.endOfTurn(after, this.endings(k, bare), eos), eos);
  }

  /**
   * An empty turn from where the generation prompt before it ends, through the text the template
   * writes after that prompt whatever follows the turn (its calls and end-of-turn text), for
   * templates whose calls are tied to the messages after them (Command A's tool results).
   */
  private afterPrompt(k: number, eos: string | undefined): ChatSpan | undefined {
    const through = this.messages.slice(0, this.turns[k] + 1);
    const prompt = this.renderMarked(() => undefined, through.slice(0, -1), true);
    if (prompt === undefined || !this.full.startsWith(prompt)) return undefined;
    const endings = [
      this.renderMarked(() => undefined, through, false),
      this.renderMarked(() => undefined, [...through, probe(through[through.length - 1])], false),
    ].flatMap((text) => (text?.startsWith(prompt) ? [text.slice(prompt.length)] : []));
    const here = this.full.slice(prompt.length);
    return this.spanOf(prompt.length, prompt.length + this.endOfTurn(here, endings, eos), eos);
  }

  /**
   * The span from `start` to `stop` (and the eos after it); undefined when what was read as its
   * end-of-turn text holds another message's text (a template that writes turns out of order).
   */
  private spanOf(start: number, stop: number, eos: string | undefined): ChatSpan | undefined {
    const end = withEos(this.full, start, stop, eos);
    const after = this.full.slice(start, end);
    const others = this.messages.filter((m) => m.role !== 'assistant' && hasContent(m));
    if (others.some((m) => after.includes(contentText(m.content)))) return undefined;
    return end > start ? { role: 'assistant', start, end } : undefined;
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
    this.alone ??= this.renderMarked((m, j) =>
      hasContent(m) ? { content: opening(j) } : undefined,
    );
    const at = this.alone?.indexOf(opening(k)) ?? -1;
    const from = k === 0 ? 0 : (this.alone?.indexOf(opening(k - 1)) ?? -1) + 1;
    if (this.alone === undefined || at < 0 || (from === 0 && k > 0)) return undefined;
    const header = this.alone.slice(from, at);
    const kept = commonPrefix(header, this.full.slice(base, end));
    if (kept === header.length) return base + kept;
    const content = contentText(this.messages[this.turns[k]].content);
    let own = 0;
    while (own < end - base && content.at(-1 - own) === this.full[end - 1 - own]) own++;
    return end - own;
  }

  /**
   * How much of `here`, the real text after a turn's content, is its end-of-turn text: what the
   * template writes there whatever follows (the `endings` after the same turn when it ends the
   * conversation, or when a user message follows), cut after the eos token, or else at the last
   * whitespace where they go separate ways, so that no part of the next turn's header is taken
   * in; trailing whitespace is left out.
   */
  private endOfTurn(here: string, endings: readonly string[], eos: string | undefined): number {
    const length0 = Math.min(here.length, ...endings.map((ending) => commonPrefix(here, ending)));
    // Where one of them ends there, the common text is whole; else it may stop inside a token.
    const whole = [here, ...endings].some((text) => text.length === length0);
    let length = length0;
    const eosAt = eos ? here.slice(0, length).indexOf(eos) : -1;
    if (eos && eosAt >= 0) length = eosAt + eos.length;
    else if (!whole) length = Math.max(0, here.slice(0, length).search(/\s\S*$/));
    return trimEnd(here, 0, length);
  }

  /**
   * The text after turn k's content (marked by `mark`) when the conversation ends with it, less
   * the closing every conversation gets, and when a user message follows it.
   */
  private endings(k: number, mark: Mark): string[] {
    const through = this.messages.slice(0, this.turns[k] + 1);
    this.closingCache ??= closingText(this.render);
    const close = this.closingCache;
    return [
      this.renderMarked(mark, through, false),
      this.renderMarked(mark, [...through, probe(through[through.length - 1])], false),
    ].flatMap((raw, i) => {
      const at = raw?.indexOf(closing(k)) ?? -1;
      if (raw === undefined || at < 0) return [];
      const after = strip(raw.slice(at + 1)).text;
      return i === 0 && close !== '' && after.endsWith(close)
        ? [after.slice(0, -close.length)]
        : [after];
    });
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

  /** A marked render, stripped; undefined unless it equals the real text. */
  private equalRender(mark: Mark): Stripped | undefined {
    const raw = this.renderMarked(mark);
    const stripped = raw === undefined ? undefined : strip(raw);
    return stripped?.text === this.full ? stripped : undefined;
  }

  /** `messages` rendered with the assistant messages rewritten by `mark`; undefined if it fails. */
  private renderMarked(
    mark: Mark,
    messages = this.messages,
    prompt = this.generationPrompt,
  ): string | undefined {
    const rewritten = messages.map((message, i) => {
      const k = this.turns.indexOf(i);
      const fields = k >= 0 ? mark(message, k) : undefined;
      return fields === undefined ? message : { ...message, ...fields };
    });
    try {
      return this.render(rewritten, prompt);
    } catch {
      return undefined;
    }
  }
}

/** How many characters `a` and `b` share at their start. */
function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
