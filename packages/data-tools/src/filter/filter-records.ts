import type { DataRecord } from '../records/index.js';
import { matchesAny } from '../stats/index.js';
import { words } from '../text/index.js';

export interface FilterOptions {
  /** Bounds on the answer's length in words. */
  readonly minWords?: number;
  readonly maxWords?: number;
  /** Bounds on a record's tokens, with `tokenLength` (the model's tokenizer and template). */
  readonly maxTokens?: number;
  readonly tokenLength?: (record: DataRecord) => number;
  /** Drop records whose text matches any of these; keep only those matching one of `keep`. */
  readonly drop?: readonly RegExp[];
  readonly keep?: readonly RegExp[];
  /** Drop records whose answer refuses, by these patterns. */
  readonly dropRefusals?: readonly RegExp[];
}

export interface FilterResult {
  readonly kept: readonly DataRecord[];
  /** Dropped records per reason. */
  readonly dropped: Readonly<Record<string, number>>;
}

/** Keeps the records that pass every rule, counting the first rule each dropped record failed. */
export function filterRecords(records: readonly DataRecord[], opts: FilterOptions): FilterResult {
  const dropped: Record<string, number> = {};
  const rules: [string, (r: DataRecord) => boolean][] = [];
  const answerWords = (r: DataRecord) => words(r.conversation.response).length;
  const text = (r: DataRecord) =>
    r.conversation.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
  if (opts.minWords !== undefined)
    rules.push(['min_words', (r) => answerWords(r) >= (opts.minWords ?? 0)]);
  if (opts.maxWords !== undefined)
    rules.push(['max_words', (r) => answerWords(r) <= (opts.maxWords ?? 0)]);
  if (opts.maxTokens !== undefined && opts.tokenLength)
    rules.push(['max_tokens', (r) => (opts.tokenLength?.(r) ?? 0) <= (opts.maxTokens ?? 0)]);
  if (opts.drop?.length) rules.push(['drop_pattern', (r) => !matchesAny(text(r), opts.drop ?? [])]);
  if (opts.keep?.length) rules.push(['keep_pattern', (r) => matchesAny(text(r), opts.keep ?? [])]);
  if (opts.dropRefusals?.length)
    rules.push(['refusal', (r) => !matchesAny(r.conversation.response, opts.dropRefusals ?? [])]);
  const kept = records.filter((record) => {
    const failed = rules.find(([, passes]) => !passes(record));
    if (failed) dropped[failed[0]] = (dropped[failed[0]] ?? 0) + 1;
    return failed === undefined;
  });
  return { kept, dropped };
}
