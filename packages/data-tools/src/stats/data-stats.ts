import { dedupe, type NearDuplicateOptions } from '../dedupe/index.js';
import type { DataSet } from '../records/index.js';
import { words } from '../text/index.js';
import { DEFAULT_CITATION_PATTERNS, DEFAULT_REFUSAL_PATTERNS, matchesAny } from './patterns.js';
import {
  type LengthSummary,
  summariseLengths,
  type TokenCounting,
  tokenLength,
} from './token-lengths.js';

export interface DataStatsOptions {
  /** Count tokens with a model's tokenizer and template; without, lengths are in words only. */
  readonly tokens?: TokenCounting;
  /** Records longer than this many tokens are counted (what training would cut); needs `tokens`. */
  readonly maxLength?: number;
  readonly citationPatterns?: readonly RegExp[];
  readonly refusalPatterns?: readonly RegExp[];
  /** The record fields that name its task and persona; defaults `task` (or `category`) and `persona`. */
  readonly taskField?: string;
  readonly personaField?: string;
  readonly near?: NearDuplicateOptions;
}

/** What `tunekit data stats` reports; keys snake_case, as written to JSON. */
export interface DataStats {
  readonly files: readonly string[];
  readonly format: string;
  readonly records: number;
  readonly invalid: number;
  /** The first few invalid records' errors, `file:line: why`. */
  readonly invalid_examples: readonly string[];
  /** Messages per role, over all records. */
  readonly roles: Readonly<Record<string, number>>;
  readonly tasks: Readonly<Record<string, number>>;
  readonly personas: Readonly<Record<string, number>>;
  readonly mean_turns: number;
  /** The last answer of each record, in words (and tokens with a tokenizer). */
  readonly response_words: LengthSummary;
  readonly response_tokens?: LengthSummary;
  /** Whole records rendered through the template, in tokens. */
  readonly record_tokens?: LengthSummary;
  readonly max_length?: number;
  readonly over_max_length?: number;
  /** Shares of records whose answer cites a source, and whose answer refuses. */
  readonly citation_ratio: number;
  readonly refusal_ratio: number;
  /** Shares of records that repeat an earlier one exactly, and nearly (beyond the exact ones). */
  readonly exact_duplicate_rate: number;
  readonly near_duplicate_rate: number;
}

const NONE = '(none)';

/** Statistics of a data set: its shape, lengths, citations, refusals and duplicates. */
export function dataStats(data: DataSet, opts: DataStatsOptions = {}): DataStats {
  const { records } = data;
  const n = records.length;
  const share = (count: number) => (n === 0 ? 0 : count / n);
  const roles: Record<string, number> = {};
  const tasks: Record<string, number> = {};
  const personas: Record<string, number> = {};
  let turns = 0;
  let citing = 0;
  let refusing = 0;
  for (const { raw, conversation } of records) {
    for (const message of conversation.messages)
      roles[message.role] = (roles[message.role] ?? 0) + 1;
    turns += conversation.messages.filter((m) => m.role !== 'system').length;
    const task = field(raw, opts.taskField ? [opts.taskField] : ['task', 'category']) ?? NONE;
    tasks[task] = (tasks[task] ?? 0) + 1;
    const system = conversation.messages.find((m) => m.role === 'system')?.content;
    const persona =
      field(raw, [opts.personaField ?? 'persona']) ??
      (typeof system === 'string' ? cut(system, 60) : NONE);
    personas[persona] = (personas[persona] ?? 0) + 1;
    if (matchesAny(conversation.response, opts.citationPatterns ?? DEFAULT_CITATION_PATTERNS))
      citing++;
    if (matchesAny(conversation.response, opts.refusalPatterns ?? DEFAULT_REFUSAL_PATTERNS))
      refusing++;
  }
  const exact = dedupe(records);
  const near = dedupe(records, { near: opts.near ?? {} });
  const tokenStats = opts.tokens && tokenStatistics(data, opts.tokens, opts.maxLength);
  return {
    files: data.paths,
    format: data.format.id,
    records: n,
    invalid: data.invalid.length,
    invalid_examples: data.invalid.slice(0, 5),
    roles,
    tasks,
    personas,
    mean_turns: share(turns),
    response_words: summariseLengths(records.map((r) => words(r.conversation.response).length)),
    ...tokenStats,
    citation_ratio: share(citing),
    refusal_ratio: share(refusing),
    exact_duplicate_rate: share(exact.dropped.length),
    near_duplicate_rate: share(near.dropped.length - exact.dropped.length),
  };
}

function tokenStatistics(data: DataSet, tokens: TokenCounting, maxLength?: number) {
  const recordTokens = data.records.map((r) => tokenLength(r, tokens));
  return {
    response_tokens: summariseLengths(
      data.records.map((r) => tokens.tokenizer.encode(r.conversation.response).length),
    ),
    record_tokens: summariseLengths(recordTokens),
    ...(maxLength === undefined
      ? {}
      : {
          max_length: maxLength,
          over_max_length: recordTokens.filter((t) => t > maxLength).length,
        }),
  };
}

/** The first of `names` that the record has as a string or number, as text. */
function field(raw: unknown, names: readonly string[]): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  for (const name of names) {
    const value = (raw as Record<string, unknown>)[name];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

function cut(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= length ? line : `${line.slice(0, length - 1)}…`;
}
