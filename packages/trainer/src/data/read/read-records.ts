import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UserError } from '@tunekit/core';
import { arrayElements } from './array-elements.js';
import type { DataFile } from './expand-paths.js';

/** One record of a data file, or why its text is not one; `where` is `file:line`. */
export type RawRecord =
  | { readonly where: string; readonly record: unknown }
  | { readonly where: string; readonly invalid: string };

/**
 * The records of a data file: a JSON array (the file starts with `[`) or JSON Lines (one value a
 * line, read as a stream so a large file is never held whole; blank lines are skipped). A `.json`
 * file that holds JSON Lines (what `datasets`' `to_json` writes) reads as JSON Lines. A line or
 * array element that is not valid JSON comes out as invalid, for the caller to fail on or skip.
 * Every byte read goes into `hash`.
 */
export async function* readRecords(file: DataFile, hash: Hash): AsyncGenerator<RawRecord> {
  if ((await firstCharacter(file)) === '[') {
    const bytes = await readFile(file.absolute).catch((cause) => {
      throw readError(file, cause);
    });
    hash.update(bytes);
    yield* arrayRecords(file, stripBom(bytes.toString('utf8')));
    return;
  }
  const stream = createReadStream(file.absolute);
  stream.on('data', (chunk) => hash.update(chunk));
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const text of lines) {
      n++;
      const line = n === 1 ? stripBom(text) : text;
      if (line.trim() === '') continue;
      const where = `${file.path}:${n}`;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (cause) {
        yield { where, invalid: `${where}: not valid JSON (${(cause as Error).message})` };
        continue;
      }
      yield { where, record };
    }
  } catch (cause) {
    throw readError(file, cause);
  } finally {
    stream.destroy();
  }
}

function* arrayRecords(file: DataFile, text: string): Generator<RawRecord> {
  for (const [i, element] of arrayElements(text, file.path).entries()) {
    const where = `${file.path}:${element.line} (record ${i + 1})`;
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

function readError(file: DataFile, cause: unknown): UserError {
  return new UserError(`${file.path}: cannot read the data file (${(cause as Error).message})`, {
    cause,
  });
}
