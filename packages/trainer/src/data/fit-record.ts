import type { ChatTemplate, ChatTemplateContext } from '@tunekit/core';
import {
  type LossPolicy,
  type MessagesRecord,
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
 * Renders and tokenises a record within `maxLength` tokens. An over-long conversation loses its
 * oldest turns first (a turn is a user message and the replies after it), keeping its system
 * message and at least its last turn; whatever is still too long has its end cut, as
 * transformers' truncation does. Renders are repeated per dropped turn, which only over-long
 * records pay for.
 */
export function fitRecord(record: unknown, where: string, opts: FitOptions): FittedRecord {
  const render = (r: unknown): RenderedExample =>
    renderRecord(opts.template, r, { where, context: opts.context, system: opts.system });
  const tokenize = (example: RenderedExample, maxLength?: number) =>
    tokenizeExample(example, opts.tokenizer, { where, lossPolicy: opts.lossPolicy, maxLength });
  let fitted = record;
  let rendered = render(record);
  let tokens = tokenize(rendered);
  if (tokens.input_ids.length <= opts.maxLength) return { record, tokens, truncated: false };
  if (isConversation(record)) {
    const { system, turns } = splitTurns(record.messages);
    for (let drop = 1; drop < turns.length && tokens.input_ids.length > opts.maxLength; drop++) {
      fitted = { ...record, messages: [...system, ...turns.slice(drop).flat()] };
      rendered = render(fitted);
      tokens = tokenize(rendered);
    }
  }
  if (tokens.input_ids.length > opts.maxLength) tokens = tokenize(rendered, opts.maxLength);
  return { record: fitted, tokens, truncated: true };
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
