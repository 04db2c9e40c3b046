import { createHash } from 'node:crypto';
import { type Tokenizer, UserError } from '@tunekit/core';
import type { FitOptions } from './fit-record.js';
import { fitRecord, MAX_CHARS_PER_TOKEN } from './fit-record.js';
import { type DataFile, expandPaths, readRecords } from './read/index.js';
import type { DataSource } from './sft-data-config.js';

/** A record of a task-head source (classification, embeddings): its fields as the file has them. */
export interface TextRecord {
  readonly where: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The records of one source, and its files with their hashes for the fingerprint. */
export interface TextSource {
  readonly files: readonly DataFile[];
  readonly fileHashes: readonly string[];
  readonly records: readonly TextRecord[];
}

/**
 * Reads a source of a task head's records (JSONL or JSON arrays): each must be a JSON object; a
 * line that is not is an error naming it, or skipped with `skipInvalid`.
 */
export async function readTextSource(
  source: DataSource,
  opts: { readonly baseDir: string; readonly skipInvalid: boolean; readonly skipped: string[] },
): Promise<TextSource> {
  const files = await expandPaths([source.path].flat(), opts.baseDir);
  const records: TextRecord[] = [];
  const fileHashes: string[] = [];
  for (const file of files) {
    const hash = createHash('sha256');
    for await (const raw of readRecords(file, hash)) {
      const problem =
        'invalid' in raw
          ? raw.invalid
          : typeof raw.record !== 'object' || raw.record === null || Array.isArray(raw.record)
            ? `${raw.where}: expected a JSON object`
            : undefined;
      if (problem === undefined && 'record' in raw) {
        records.push({ where: raw.where, fields: raw.record as Record<string, unknown> });
      } else if (opts.skipInvalid) opts.skipped.push(problem ?? raw.where);
      else throw new UserError(problem ?? raw.where);
    }
    fileHashes.push(hash.digest('hex'));
  }
  return { files, fileHashes, records };
}

/**
 * The token ids of one text of a record as transformers' pipelines tokenise it: a string as
 * `tokenizer(text)` (with the tokenizer's special tokens, cut to max_length as `truncation=True`
 * cuts the end), a list of messages as `apply_chat_template(messages)` (the chat template, no
 * generation prompt; over-long conversations lose their oldest turns). `field` names it in errors.
 */
export function encodeText(
  value: unknown,
  where: string,
  field: string,
  fit: FitOptions & { readonly tokenizer: Pick<Tokenizer, 'encode'> },
): { ids: number[]; truncated: boolean } {
  let ids: number[];
  let truncated: boolean;
  if (typeof value === 'string') {
    const all = fit.tokenizer.encode(value.slice(0, fit.maxLength * MAX_CHARS_PER_TOKEN));
    ids = all.slice(0, fit.maxLength);
    truncated = all.length > fit.maxLength;
  } else if (Array.isArray(value)) {
    const fitted = fitRecord({ messages: value }, `${where} (${field})`, fit);
    ids = fitted.tokens.input_ids;
    truncated = fitted.truncated;
  } else
    throw new UserError(
      `${where}: ${field} must be a string or a list of messages, got ${value === undefined ? 'nothing' : typeof value}`,
    );
  if (ids.length === 0) throw new UserError(`${where}: ${field} is empty`);
  return { ids, truncated };
}

/**
 * The text of a record that holds one (classification, `tunekit embed`): its `text`, else its
 * `messages`; neither is an error naming the record.
 */
export function recordText(
  fields: TextRecord['fields'],
  where: string,
): { field: string; value: unknown } {
  for (const field of ['text', 'messages'])
    if (fields[field] !== undefined) return { field, value: fields[field] };
  throw new UserError(
    `${where}: expected a "text" (a string) or "messages" (a list of messages) field; the record has ${Object.keys(fields).join(', ') || 'no fields'}`,
  );
}
