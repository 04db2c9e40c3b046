import { readFile } from 'node:fs/promises';
import { type DatasetFormat, resolveAllOf, TOKENS, UserError } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';

/**
 * The format id of a data file that names none, from its first record, as training detects it:
 * of the registered formats whose `detect` matches, the one of highest priority.
 */
export async function sourceFormat(file: string, container: DependencyContainer): Promise<string> {
  const record = await firstRecord(file);
  const formats = resolveAllOf(container, TOKENS.DatasetFormat).filter((f) => f.detect(record));
  const top = Math.max(...formats.map((f) => f.priority));
  const best = formats.filter((f: DatasetFormat) => f.priority === top);
  if (best.length !== 1)
    throw new UserError(`${file}: cannot tell the records' format from the first; set format:`);
  return best[0].id;
}

/** The first record of a JSONL file (its first non-empty line) or of a JSON array. */
async function firstRecord(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(
      `cannot read ${file} to tell its format (${error.code ?? error.message}); set format:`,
    );
  });
  try {
    if (/\.json$/i.test(file)) return (JSON.parse(text) as unknown[])[0];
    return JSON.parse(text.split('\n').find((line) => line.trim() !== '') ?? 'null');
  } catch {
    throw new UserError(`${file}: the first record is not valid JSON; set format:`);
  }
}
