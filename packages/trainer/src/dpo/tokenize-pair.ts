import type { ChatMessage, PreferenceRecord } from '@tunekit/core';
import { UserError } from '@tunekit/core';
import { IGNORE_INDEX, renderRecord, tokenizeExample } from '@tunekit/templates';
import type { FitOptions } from '../data/index.js';
import type { DpoSettings } from './dpo-config.js';

/** One answer of a pair after its prompt: its tokens and labels (IGNORE_INDEX after the answer). */
export interface Completion {
  readonly input_ids: readonly number[];
  readonly labels: readonly number[];
}

/** A preference record tokenised as TRL's `tokenize_row`: one prompt, two answers. */
export interface TokenizedPair {
  /** The record it came from, `file:line`. */
  readonly where: string;
  readonly prompt: readonly number[];
  readonly chosen: Completion;
  readonly rejected: Completion;
  /** The prompt or an answer was cut (max_prompt_length, max_completion_length, max_length). */
  readonly truncated: boolean;
}

export type PairFitOptions = Omit<FitOptions, 'lossPolicy'> &
  Pick<DpoSettings, 'max_prompt_length' | 'max_completion_length'>;

/**
 * Renders the prompt followed by each answer through the chat template (prompt/completion
 * strings as a prompt/completion record, message lists as one conversation, `system` first) and
 * tokenises both with the loss on the last assistant turn: the tokens before it are the prompt,
 * which must come out the same for both. Then TRL's truncation: the prompt keeps its last
 * max_prompt_length tokens, each answer its first max_completion_length; a row still longer than
 * max_length loses the start of the prompt (TRL's default truncation_mode keep_end), then the end
 * of the answer.
 */
export function tokenizePair(
  record: PreferenceRecord,
  where: string,
  opts: PairFitOptions,
): TokenizedPair {
  const chosen = tokenizeAnswer(record, record.chosen, where, 'chosen', opts);
  const rejected = tokenizeAnswer(record, record.rejected, where, 'rejected', opts);
  if (chosen.prompt.join() !== rejected.prompt.join())
    throw new UserError(
      `${where}: the template renders the prompt differently before chosen and before rejected`,
    );
  const fitted = fitAnswers(chosen.prompt, [chosen, rejected], opts);
  const [fittedChosen, fittedRejected] = fitted.answers;
  return {
    where,
    prompt: fitted.prompt,
    chosen: fittedChosen,
    rejected: fittedRejected,
    truncated: fitted.truncated,
  };
}

/** The prompt and one answer of a record, the record's system turn first. */
export interface PromptRecord {
  readonly prompt: string | readonly ChatMessage[];
  readonly system?: string;
}

/**
 * Renders the prompt followed by `answer` through the chat template and tokenises it with the
 * loss on the last assistant turn: the tokens before it are the prompt. `key` names the answer.
 */
export function tokenizeAnswer(
  record: PromptRecord,
  answer: string | readonly ChatMessage[],
  where: string,
  key: string,
  opts: Omit<PairFitOptions, 'max_prompt_length' | 'max_completion_length' | 'maxLength'>,
): Completion & { readonly prompt: readonly number[] } {
  const example = renderRecord(opts.template, sftRecord(record, answer), {
    where,
    context: opts.context,
    system: opts.system,
  });
  const tokens = tokenizeExample(example, opts.tokenizer, { where, lossPolicy: 'last_assistant' });
  const start = tokens.labels.findIndex((label) => label !== IGNORE_INDEX);
  if (start < 1)
    throw new UserError(
      `${where}: ${key}: ${start < 0 ? 'the answer gives no token to train on' : 'the template renders no prompt before the answer'}`,
    );
  return {
    prompt: tokens.input_ids.slice(0, start),
    input_ids: tokens.input_ids.slice(start),
    labels: tokens.labels.slice(start),
  };
}

/**
 * TRL's truncation of a prompt and its answers: the prompt keeps its last max_prompt_length
 * tokens, each answer its first max_completion_length; a row (the prompt and its longest answer)
 * still longer than max_length loses the start of the prompt (TRL's default truncation_mode
 * keep_end), then the end of the answers.
 */
export function fitAnswers(
  prompt: readonly number[],
  answers: readonly Completion[],
  opts: Pick<PairFitOptions, 'max_prompt_length' | 'max_completion_length' | 'maxLength'>,
): { prompt: readonly number[]; answers: Completion[]; truncated: boolean } {
  let truncated = false;
  const cutEnd = (c: Completion, keep: number | null): Completion => {
    if (keep === null || c.input_ids.length <= keep) return c;
    truncated = true;
    return { input_ids: c.input_ids.slice(0, keep), labels: c.labels.slice(0, keep) };
  };
  if (opts.max_prompt_length !== null && prompt.length > opts.max_prompt_length) {
    prompt = prompt.slice(-opts.max_prompt_length);
    truncated = true;
  }
  let fitted = answers.map((c) => cutEnd(c, opts.max_completion_length));
  const longest = Math.max(...fitted.map((c) => c.input_ids.length));
  const over = prompt.length + longest - opts.maxLength;
  if (over > 0) {
    truncated = true;
    // keep at least one prompt token: the first answer token is predicted from it
    prompt = prompt.slice(Math.min(over, prompt.length - 1));
    const room = opts.maxLength - prompt.length;
    fitted = fitted.map((c) => cutEnd(c, room));
  }
  return { prompt, answers: fitted, truncated };
}

/** The SFT record of the prompt followed by one answer, for the chat template. */
function sftRecord(record: PromptRecord, answer: string | readonly ChatMessage[]): unknown {
  if (typeof record.prompt === 'string') {
    return { prompt: record.prompt, completion: answer as string, system: record.system };
  }
  const system: ChatMessage[] =
    record.system === undefined ? [] : [{ role: 'system', content: record.system }];
  return { messages: [...system, ...record.prompt, ...(answer as readonly ChatMessage[])] };
}
