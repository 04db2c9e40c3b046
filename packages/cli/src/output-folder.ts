import { readdir, realpath } from 'node:fs/promises';
import { checkOutputPath, isInside, UserError, writeFolderAtomically } from '@tunekit/core';

export interface OutputFolderOptions {
  /** The flag that names the folder, for errors (`--out`). */
  readonly flag: string;
  /** Replace a folder that holds files (`--overwrite`). */
  readonly overwrite: boolean;
  /** The folders read (base model, adapter): the output may neither be nor hold nor lie in one. */
  readonly inputs: readonly string[];
}

/**
 * Writes the output folder of `merge` or `export` so that nothing a user has is lost: the path is
 * checked before anything is loaded (also against the input folders, symlinks and `..` resolved),
 * a folder holding files is refused unless `overwrite`, and `write` fills a temporary folder
 * beside it that replaces the old one only once complete.
 */
export async function writeOutputFolder<T>(
  out: string,
  opts: OutputFolderOptions,
  write: (dir: string) => Promise<T>,
): Promise<T> {
  const real = await checkOutputPath(out, opts.flag);
  for (const input of opts.inputs) {
    const realInput = await realpath(input).catch(() => undefined);
    if (realInput === undefined) continue; // a hub id, or missing: its own command names it
    if (isInside(real, realInput) || isInside(realInput, real)) {
      const how = real === realInput ? 'is' : isInside(real, realInput) ? 'lies inside' : 'holds';
      throw new UserError(
        `${opts.flag}: ${out} ${how} the input folder ${input}; writing there would destroy what ` +
          'is read. Name a separate folder',
      );
    }
  }
  const existing = await readdir(real).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  if (existing.length > 0 && !opts.overwrite) {
    throw new UserError(
      `${opts.flag}: ${out} already holds files (${existing.slice(0, 3).join(', ')}` +
        `${existing.length > 3 ? ', ...' : ''}); pass --overwrite to replace them, or name an empty folder`,
    );
  }
  return writeFolderAtomically(real, write);
}
