import { constants } from 'node:buffer';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { UserError } from '@tunekit/core';
import { type ArrayElement, arrayElements } from './array-elements.js';
import { type ByteLine, ByteLineSplitter } from './byte-lines.js';
import type { DataFile } from './expand-paths.js';
import { describeInvalidUtf8, invalidUtf8Offset } from './utf8.js';

/** One record of a data file, or why its text is not one; `where` is `file:line`. */
export type RawRecord =
  | { readonly where: string; readonly record: unknown }
  | { readonly where: string; readonly invalid: string };

export interface ReadLimits {
  /**
   * The longest line of JSON Lines read, in bytes; a longer line is an invalid record, never held
   * in memory. Default 256 MiB (a V8 string holds 512 Mi UTF-16 units; a longer record would
   * only be truncated to max_length anyway).
   */
  readonly maxLineBytes: number;
}

const DEFAULT_READ_LIMITS: ReadLimits = { maxLineBytes: 256 * 2 ** 20 };

/**
 * The records of a data file: a JSON array (the file starts with `[`) or JSON Lines (one value a
 * line, read as a stream so a large file is never held whole; blank lines are skipped). A line
 * (or array element) whose bytes are not valid UTF-8 is invalid, named by the byte offset, never
 * read with replacement characters. A `.json`
 * file that holds JSON Lines (what `datasets`' `to_json` writes) reads as JSON Lines. A line or
 * array element that is not valid JSON comes out as invalid, for the caller to fail on or skip.
 * Every byte read goes into `hash`.
 */
export async function* readRecords(
  file: DataFile,
  hash: Hash,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): AsyncGenerator<RawRecord> {
  if ((await firstCharacter(file)) === '[') {
    const bytes = await readFile(file.absolute).catch((cause) => {
      throw readError(file, cause);
    });
    hash.update(bytes);
    if (bytes.length > constants.MAX_STRING_LENGTH)
      throw new UserError(
        `${file.path}: a JSON array of ${size(bytes.length)} is longer than a JavaScript string can hold (${size(constants.MAX_STRING_LENGTH)}); write the records as JSON Lines`,
      );
    yield* arrayRecords(file, bytes);
    return;
  }
  const stream = createReadStream(file.absolute);
  stream.on('data', (chunk) => hash.update(chunk));
  const splitter = new ByteLineSplitter(limits.maxLineBytes);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const line of splitter.push(chunk)) {
        const record = lineRecord(file, line, limits);
        if (record !== undefined) yield record;
      }
    }
    const last = splitter.end();
    const record = last && lineRecord(file, last, limits);
    if (record !== undefined) yield record;
  } catch (cause) {
    throw readError(file, cause);
  } finally {
    stream.destroy();
  }
}

/** The record on one line of JSON Lines: undefined for a blank line, invalid for a bad one. */
function lineRecord(file: DataFile, byteLine: ByteLine, limits: ReadLimits): RawRecord | undefined {
  const { line: n, offset, bytes, length } = byteLine;
  const where = `${file.path}:${n}`;
  if (bytes === undefined) {
    const limit = size(limits.maxLineBytes);
    return {
      where,
      invalid: `${where}: the line is ${size(length)} long, over the limit of ${limit}`,
    };
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad !== undefined) {
    return { where, invalid: `${where}: ${describeInvalidUtf8(bytes, bad, offset)}` };
  }
  const text = bytes.toString('utf8');
  const line = n === 1 ? stripBom(text) : text;
  if (line.trim() === '') return undefined;
  try {
    return { where, record: JSON.parse(line) };
  } catch (cause) {
    return { where, invalid: `${where}: not valid JSON (${(cause as Error).message})` };
  }
}

function* arrayRecords(file: DataFile, bytes: Buffer): Generator<RawRecord> {
  const badLines = invalidUtf8Lines(bytes);
  for (const [i, element] of arrayElements(stripBom(bytes.toString('utf8')), file.path).entries()) {
    const where = `${file.path}:${element.line} (record ${i + 1})`;
    const bad = badLines.size === 0 ? undefined : badLineOf(element, badLines);
    if (bad !== undefined) {
      yield { where, invalid: `${where}: ${bad}` };
      continue;
    }
    if (element.text === '') {
      yield { where, invalid: `${where}: an empty element (a comma too many)` };
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(element.text);
    } catch (cause) {
      yield { where, invalid: `${where}: not valid JSON (${(cause as Error).message})` };
      continue;
    }
    yield { where, record };
  }
}

/** Why each line of `bytes` that is not valid UTF-8 is not, by line number (empty when all are). */
function invalidUtf8Lines(bytes: Buffer): Map<number, string> {
  const bad = new Map<number, string>();
  if (invalidUtf8Offset(bytes) === undefined) return bad;
  for (let start = 0, line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const lineBytes = bytes.subarray(start, end);
    const offset = invalidUtf8Offset(lineBytes);
    if (offset !== undefined) bad.set(line, describeInvalidUtf8(lineBytes, offset, start));
    start = end + 1;
  }
  return bad;
}

/** Why the first line an array element spans is not UTF-8, if one is not. */
function badLineOf(element: ArrayElement, badLines: Map<number, string>): string | undefined {
  const last = element.line + (element.text.match(/\n/g)?.length ?? 0);
  for (let line = element.line; line <= last; line++) {
    const bad = badLines.get(line);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** The first character that is not white space (or a byte-order mark), or '' for an empty file. */
async function firstCharacter(file: DataFile): Promise<string> {
  const handle = await open(file.absolute, 'r').catch((cause) => {
    throw readError(file, cause);
  });
  try {
    const buffer = Buffer.alloc(4096);
    for (let position = 0; ; position += buffer.length) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return '';
      const text = stripBom(buffer.subarray(0, bytesRead).toString('utf8')).trimStart();
      if (text !== '') return text[0];
    }
  } finally {
    await handle.close();
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function size(bytes: number): string {
  return bytes < 2 ** 20 ? `${bytes} bytes` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function readError(file: DataFile, cause: unknown): UserError {
  return new UserError(`${file.path}: cannot read the data file (${(cause as Error).message})`, {
    cause,
  });
}
