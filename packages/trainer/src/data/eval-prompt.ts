import type { ChatMessage, ChatTemplate, ChatTemplateContext } from '@tunekit/core';
import { messageText, renderRecord, type SystemSpec } from '@tunekit/templates';

/** An eval example as a generation task: the prompt a model continues, and the answer to compare. */
export interface EvalPrompt {
  /** The record, `file:line`. */
  readonly where: string;
  /** The rendered text up to where the last answer starts (it ends with the assistant header). */
  readonly prompt: string;
  /** The last answer as the record wrote it (no end-of-turn token). */
  readonly reference: string;
  /** The user's message the answer replies to, as written (what an adapter router reads). */
  readonly message?: string;
  /** The task of its source (multi-task data). */
  readonly task?: string;
}

export interface SampleOptions {
  readonly template: ChatTemplate;
  readonly context?: ChatTemplateContext;
  readonly system?: SystemSpec;
}

/**
 * The generation sample of a parsed record; undefined for plain text and for records without a
 * non-empty answer (a conversation ending in a pure tool call), which have nothing to compare.
 */
export function evalPrompt(
  record: unknown,
  where: string,
  opts: SampleOptions,
): EvalPrompt | undefined {
  const reference = lastAnswer(record);
  if (reference === undefined || reference === '' || typeof record !== 'object' || record === null)
    return undefined;
  const rendered = renderRecord(opts.template, record, { where, ...opts });
  const answer = rendered.spans.filter((span) => span.role === 'assistant').at(-1);
  if (rendered.source === 'text' || answer === undefined) return undefined;
  const message = lastUserMessage(record);
  return {
    where,
    prompt: rendered.text.slice(0, answer.start),
    reference,
    ...(message !== undefined && { message }),
  };
}

/** The last user message, Alpaca `instruction` (with its `input`) or `prompt` of a record. */
function lastUserMessage(record: object): string | undefined {
  const r = record as {
    messages?: ChatMessage[];
    instruction?: string;
    input?: string;
    prompt?: unknown;
  };
  if (r.messages !== undefined) {
    const last = r.messages.filter((m) => m.role === 'user').at(-1);
    return last === undefined ? undefined : messageText(last);
  }
  if (r.instruction !== undefined)
    return r.input ? `${r.instruction}\n\n${r.input}` : r.instruction;
  return typeof r.prompt === 'string' ? r.prompt : undefined;
}

/** The last assistant message, Alpaca `output` or `completion` of a record as the formats parse them. */
function lastAnswer(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as {
    messages?: ChatMessage[];
    output?: string;
    completion?: string;
  };
  if (r.messages !== undefined) {
    const last = r.messages.filter((m) => m.role === 'assistant').at(-1);
    return last === undefined ? undefined : messageText(last);
  }
  return r.output ?? r.completion;
}
