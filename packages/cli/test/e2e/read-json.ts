import { readFile } from 'node:fs/promises';

/** A JSON file the test itself made the CLI write, read as the type it is known to have. */
export async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}
