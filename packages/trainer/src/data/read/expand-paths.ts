import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '@tunekit/core';
import { glob, isDynamicPattern } from 'tinyglobby';

/** A data file: `path` as errors name it (as written, or as a glob matched it), `absolute` to read. */
export interface DataFile {
  readonly path: string;
  readonly absolute: string;
}

/**
 * The files that `patterns` name, relative to `baseDir`: a plain path must be a file, a glob
 * (`data/*.jsonl`, `**\/train-*.json`) must match at least one; its matches come sorted, so the
 * record order does not depend on the file system. A file named twice is read once.
 */
export async function expandPaths(
  patterns: readonly string[],
  baseDir: string,
): Promise<DataFile[]> {
  const files = new Map<string, DataFile>();
  for (const pattern of patterns) {
    if (isDynamicPattern(pattern)) {
      // data manifests (`tunekit data` writes one beside each file) are not data
      const matches = (
        await glob(pattern, { cwd: baseDir, onlyFiles: true, ignore: ['**/*.manifest.json'] })
      ).sort();
      if (matches.length === 0)
        throw new UserError(`${pattern}: the pattern matches no file (searched from ${baseDir})`);
      for (const path of matches)
        files.set(resolve(baseDir, path), { path, absolute: resolve(baseDir, path) });
      continue;
    }
    const absolute = resolve(baseDir, pattern);
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      const where = isAbsolute(pattern) ? pattern : `${pattern} (from ${baseDir})`;
      throw new UserError(
        `${where}: ${info === undefined ? 'no such data file' : 'not a file'}; expected a JSONL or JSON file, or a glob such as data/*.jsonl`,
      );
    }
    files.set(absolute, { path: pattern, absolute });
  }
  return [...files.values()];
}
