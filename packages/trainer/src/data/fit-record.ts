import type { ChatTemplate, ChatTemplateContext, MessagesRecord } from '@tunekit/core';
import {
  type LossPolicy,
  type RenderedExample,
  renderRecord,
  type SystemSpec,
  type TemplateTokenizer,
  type TokenizedExample,
  tokenizeExample,
} from '@tunekit/templates';

export interface FitOptions {
  readonly template: ChatTemplate;
  readonly tokenizer: TemplateTokenizer;
  readonly context?: ChatTemplateContext;
  readonly system?: SystemSpec;
  readonly lossPolicy: LossPolicy;
  readonly maxLength: number;
}

export interface FittedRecord {
  /** The record as tokenised: a conversation may have lost its oldest turns. */
  readonly record: unknown;
  readonly tokens: TokenizedExample;
  /** Turns were dropped or the end was cut to fit max_length. */
  readonly truncated: boolean;
}

/**
 * At most how many characters of text one token covers, in any vocabulary a user trains with
 * (typical tokens cover 3 or 4; the longest entries of large vocabularies, runs of spaces or
 * dashes, a few dozen). So the first `maxLength` tokens of a text lie within its first
 * `maxLength * MAX_CHARS_PER_TOKEN` characters, and the rest need not be tokenised.
 */
export const MAX_CHARS_PER_TOKEN = 64;

/**
 * Renders and tokenises a record within `maxLength` tokens. An over-long conversation loses its
 * oldest turns first (a turn is a user message and the replies after it), keeping its system
 * message and at least its last turn; whatever is still too long has its end cut, as
 * transformers' truncation does. The work per record is bounded: every text of the record is cut
 * to what `maxLength` tokens can cover before it is rendered (see MAX_CHARS_PER_TOKEN), and the
 * number of turns to drop is found by bisection (a conversation's tokens fall as turns are
 * dropped), so a 50 MB line costs about as much as one of `maxLength` tokens.
 */
export function fitRecord(record: unknown, where: string, opts: FitOptions): FittedRecord {
  const render = (r: unknown): RenderedExample =>
    renderRecord(opts.template, r, { where, context: opts.context, system: opts.system });
  const tokenize = (example: RenderedExample, maxLength?: number) =>
    tokenizeExample(example, opts.tokenizer, { where, lossPolicy: opts.lossPolicy, maxLength });
  const cut = cutTexts(record, opts.maxLength * MAX_CHARS_PER_TOKEN);
  const fits = (tokens: TokenizedExample) => tokens.input_ids.length <= opts.maxLength;
  let fitted = { record: cut, rendered: render(cut) };
  let tokens = tokenize(fitted.rendered);
  if (fits(tokens) && cut === record) return { record, tokens, truncated: false };
  if (!fits(tokens) && isConversation(cut)) {
    const { system, turns } = splitTurns(cut.messages);
    const dropping = (drop: number) => {
      const r = { ...cut, messages: [...system, ...turns.slice(drop).flat()] };
      const rendered = render(r);
      return { record: r, rendered, tokens: tokenize(rendered) };
    };
    // The fewest oldest turns whose dropping makes it fit, or all turns but the last.
    let [low, high] = [1, turns.length - 1];
    let best = high >= low ? dropping(high) : undefined;
    while (best !== undefined && fits(best.tokens) && low < high) {
      const middle = (low + high) >> 1;
      const attempt = dropping(middle);
      if (fits(attempt.tokens)) [best, high] = [attempt, middle];
      else low = middle + 1;
    }
    if (best !== undefined) [fitted, tokens] = [best, best.tokens];
  }
  if (!fits(tokens)) tokens = tokenize(fitted.rendered, opts.maxLength);
  return { record: fitted.record, tokens, truncated: true };
}

/** How deep in a record `cutTexts` looks: as deep as a template reads (a tool call's arguments). */
const TEXT_DEPTH = 8;

/**
 * `value` with every string longer than `limit` cut to `limit` characters (never inside a
 * surrogate pair); `value` itself when none is that long.
 */
function cutTexts(value: unknown, limit: number, depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.length <= limit) return value;
    const end = /[\uD800-\uDBFF]/.test(value[limit - 1]) ? limit - 1 : limit;
    return value.slice(0, end);
  }
  if (typeof value !== 'object' || value === null || depth === TEXT_DEPTH) return value;
  const entries = Object.entries(value);
  const cut = entries.map(([key, v]) => [key, cutTexts(v, limit, depth + 1)] as const);
  if (cut.every(([, v], i) => v === entries[i][1])) return value;
  return Array.isArray(value) ? cut.map(([, v]) => v) : Object.fromEntries(cut);
}

type Message = MessagesRecord['messages'][number];

function isConversation(record: unknown): record is MessagesRecord {
  return typeof record === 'object' && record !== null && 'messages' in record;
}

/** The leading system message, and the rest grouped in turns: each user message opens one. */
function splitTurns(messages: readonly Message[]): { system: Message[]; turns: Message[][] } {
  const system = messages[0]?.role === 'system' ? [messages[0]] : [];
  const turns: Message[][] = [];
  for (const message of messages.slice(system.length)) {
    if (message.role === 'user' || turns.length === 0) turns.push([message]);
    else turns[turns.length - 1].push(message);
  }
  return { system, turns };
}
