import { readFile } from 'node:fs/promises';
import { UserError } from '@tunekit/core';

/** One line of a JSON Lines file, with `file:line` for errors. */
export interface JsonlLine {
  readonly where: string;
  readonly value: unknown;
}

/**
 * The non-blank lines of JSON Lines file `file`, each parsed; `what` names the file's role in
 * errors (`the review file`). A line that is not JSON is an error naming it.
 */
export async function readJsonl(file: string, what: string): Promise<JsonlLine[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read ${what} (${error.code ?? error.message})`);
  });
  const lines: JsonlLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    try {
      lines.push({ where, value: JSON.parse(line) });
    } catch {
      throw new UserError(`${where}: not JSON (${what} holds one JSON object a line)`);
    }
  });
  return lines;
}

/** The first issue of a failed zod parse as `field: message`. */
export function firstIssue(error: { issues: readonly { path: PropertyKey[]; message: string }[] }) {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || 'record'}: ${issue?.message}`;
}
