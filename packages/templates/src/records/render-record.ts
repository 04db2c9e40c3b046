import {
  type ChatMessage,
  type ChatTemplate,
  type ChatTemplateContext,
  type ChatToolDefinition,
  parseOrThrow,
  type RenderedChat,
  UserError,
} from '@tunekit/core';
import { raw, readsVariable } from '../builtins/index.js';
import { renderText } from '../jinja/index.js';
import { type SystemSpec, withSystem } from '../system/index.js';
import {
  instructionRecordSchema,
  METADATA_LINES,
  messagesRecordSchema,
  promptCompletionRecordSchema,
  textRecordSchema,
} from './record-schemas.js';

/**
 * What a rendered example came from, for loss policies: a conversation (`messages`), a
 * prompt and its completion (prompt/completion and Alpaca records), or plain text.
 */
export type ExampleSource = 'conversation' | 'completion' | 'text';

export interface RenderedExample extends RenderedChat {
  readonly source: ExampleSource;
}

export interface RenderRecordOptions {
  /** Names the record in errors, e.g. `data.jsonl:12`. */
  readonly where: string;
  /** The model's special tokens and chat_template (tokenizer_config.json). */
  readonly context?: ChatTemplateContext;
  /** A system message composed for every record (persona, rules, tools...). */
  readonly system?: SystemSpec;
  /** Ends a conversation with the template's generation prompt (transformers' add_generation_prompt). */
  readonly addGenerationPrompt?: boolean;
  /** The text alone, no spans looked for (a text whose spans cannot be found still renders). */
  readonly textOnly?: boolean;
}

/** A conversation ready for a template, before the system message is composed. */
interface Conversation {
  readonly messages: ChatMessage[];
  readonly tools: readonly ChatToolDefinition[];
  readonly variables: Readonly<Record<string, unknown>>;
  readonly source: ExampleSource;
}

const SHAPES = ['messages', 'instruction', 'prompt', 'text'] as const;

/**
 * Renders one data record through `template`. The record's shape is found from its fields
 * (`messages`, `instruction`, `prompt`, `text`, checked in that order) and validated with its
 * zod schema; every error starts with `where` and names the field.
 */
export function renderRecord(
  template: ChatTemplate,
  record: unknown,
  opts: RenderRecordOptions,
): RenderedExample {
  const { where, context } = opts;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new UserError(`${where}: a record must be a JSON object, got ${JSON.stringify(record)}`);
  }
  const shape = SHAPES.find((key) => key in record);
  if (shape === undefined) {
    const keys = Object.keys(record);
    throw new UserError(
      `${where}: the record has none of the fields ${SHAPES.join(', ')} (it has ${keys.length > 0 ? keys.join(', ') : 'no fields'})`,
    );
  }
  if (shape === 'text') {
    const { text } = parseOrThrow(textRecordSchema, record, where);
    const rendered = prefixErrors(where, () =>
      raw.render([{ role: 'assistant', content: text }], { context }),
    );
    return { ...rendered, source: 'text' };
  }
  const conversation = toConversation(shape, record, template, where);
  const recordTools = conversation.tools;
  const spec =
    opts.system !== undefined || recordTools.length > 0
      ? { ...opts.system, tools: [...(opts.system?.tools ?? []), ...recordTools] }
      : undefined;
  const composed =
    spec === undefined
      ? { messages: conversation.messages }
      : prefixErrors(where, () => withSystem(conversation.messages, spec, template, context));
  const renderOpts = {
    context,
    tools: composed.tools,
    variables: conversation.variables,
    addGenerationPrompt: opts.addGenerationPrompt,
  };
  const rendered = prefixErrors(where, () =>
    opts.textOnly
      ? { text: renderText(template, composed.messages, renderOpts), spans: [] }
      : template.render(composed.messages, renderOpts),
  );
  return { ...rendered, source: conversation.source };
}

function toConversation(
  shape: 'messages' | 'instruction' | 'prompt',
  record: object,
  template: ChatTemplate,
  where: string,
): Conversation {
  if (shape === 'messages') {
    const r = parseOrThrow(messagesRecordSchema, record, where);
    return { messages: r.messages, tools: r.tools ?? [], variables: {}, source: 'conversation' };
  }
  if (shape === 'instruction') {
    const r = parseOrThrow(instructionRecordSchema, record, where);
    // Alpaca renders `input` in its own section; other templates read it after the instruction.
    const ownInput = readsVariable(template, 'input');
    const instruction =
      ownInput || r.input === '' ? r.instruction : `${r.instruction}\n\n${r.input}`;
    return {
      messages: exchange(r.system, withMetadata(instruction, r), r.output),
      tools: [],
      variables: ownInput ? { input: r.input } : {},
      source: 'completion',
    };
  }
  const r = parseOrThrow(promptCompletionRecordSchema, record, where);
  return {
    messages: exchange(r.system, withMetadata(r.prompt, r), r.completion),
    tools: [],
    variables: {},
    source: 'completion',
  };
}

function exchange(system: string | undefined, user: string, assistant: string): ChatMessage[] {
  const turns: ChatMessage[] = [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ];
  return system === undefined ? turns : [{ role: 'system', content: system }, ...turns];
}

/** The user text followed by one line per metadata field the record has. */
function withMetadata(
  text: string,
  record: Partial<Record<keyof typeof METADATA_LINES, unknown>>,
): string {
  const lines = Object.entries(METADATA_LINES).flatMap(([field, line]) => {
    const value = record[field as keyof typeof METADATA_LINES];
    return value === undefined ? [] : [line.replace(`{${field}}`, String(value))];
  });
  return lines.length === 0 ? text : `${text}\n\n${lines.join(' ')}`;
}

/** Runs `fn`, putting `where` in front of a UserError's message so it names the record. */
function prefixErrors<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UserError)
      throw new UserError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
}
