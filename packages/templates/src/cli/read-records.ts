import { readFile } from 'node:fs/promises';
import { UserError } from '@tunekit/core';

export interface DataRecord {
  /** `file:line` for JSONL, `file[index]` for a JSON array. */
  readonly where: string;
  readonly record: unknown;
}

/** The first `limit` records of a JSONL file (one JSON value a line) or a JSON array file. */
export async function readRecords(file: string, limit: number): Promise<DataRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new UserError(`${file}: cannot read the data file (${(cause as Error).message})`, {
      cause,
    });
  }
  if (file.endsWith('.json')) {
    const values = parseJson(text, file);
    if (!Array.isArray(values)) throw new UserError(`${file}: expected a JSON array of records`);
    return values.slice(0, limit).map((record, i) => ({ where: `${file}[${i}]`, record }));
  }
  const records: DataRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && records.length < limit; i++) {
    if (lines[i].trim() === '') continue;
    const where = `${file}:${i + 1}`;
    records.push({ where, record: parseJson(lines[i], where) });
  }
  return records;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UserError(`${where}: not valid JSON (${(cause as Error).message})`, { cause });
  }
}
