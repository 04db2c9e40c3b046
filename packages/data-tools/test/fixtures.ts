import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A temporary folder for the calling test file, removed after it. */
export async function workFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-data-tools-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `records` as JSON Lines (a string is written as the line itself, e.g. a broken one). */
export async function writeJsonl(path: string, records: readonly unknown[]): Promise<string> {
  const lines = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** The bundled model's folder (tokenizer and chat template). */
export const bundledModel = new URL('../../../models/tunekit-tiny-chat', import.meta.url).pathname;
