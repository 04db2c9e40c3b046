import { readFile } from 'node:fs/promises';
import { UserError } from '@tunekit/core';
import { parse as parseYaml } from 'yaml';

/** One record of a small evaluation file, with where it was (`file:line`, or `file[i]`). */
export interface LocatedRecord {
  readonly where: string;
  readonly record: unknown;
}

/**
 * The records of a small evaluation file, read whole: JSON Lines (one value a line, blank lines
 * skipped), a JSON array, or (`.yaml`/`.yml`) a YAML list or a mapping whose `key` holds the list.
 */
export async function readRecordFile(path: string, key: string): Promise<LocatedRecord[]> {
  const text = await readFile(path, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new UserError(`${path}: cannot read the file (${cause.code ?? cause.message})`);
  });
  if (/\.ya?ml$/i.test(path))
    return listOf(
      path,
      key,
      parseWith(path, () => parseYaml(text)),
    );
  if (text.trimStart().startsWith('['))
    return listOf(
      path,
      key,
      parseWith(path, () => JSON.parse(text)),
    );
  const out: LocatedRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path}:${i + 1}`;
    out.push({ where, record: parseWith(where, () => JSON.parse(line)) });
  });
  return out;
}

function parseWith(where: string, parse: () => unknown): unknown {
  try {
    return parse();
  } catch (cause) {
    throw new UserError(
      `${where}: not valid ${/ya?ml/i.test(where) ? 'YAML' : 'JSON'}: ${(cause as Error).message.split('\n')[0]}`,
    );
  }
}

function listOf(path: string, key: string, parsed: unknown): LocatedRecord[] {
  const list =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)[key]
      : parsed;
  if (!Array.isArray(list))
    throw new UserError(
      `${path}: expected a list of records (or a mapping with a \`${key}\` list)`,
    );
  return list.map((record, i) => ({ where: `${path}[${i}]`, record }));
}
