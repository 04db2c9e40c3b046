import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.js';
import { isNotFound } from './file-io.js';

/** Kernel file systems: no output belongs there, and Node's recursive mkdir spins on procfs. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * Checks that `path` can be a folder that outputs are written to, with a few `stat` calls (so it
 * never hangs on a path): not under /proc, /sys or /dev (symlinks resolved), not a regular file
 * and not below one. Returns its absolute path with symlinks resolved as far as it exists.
 * `field` names the setting or flag in the error (`output_dir`, `--out`).
 */
export async function checkOutputPath(path: string, field: string): Promise<string> {
  const absolute = resolve(path);
  // the deepest part of the path that exists; a missing tail is created later
  let existing = absolute;
  for (;;) {
    const info = await statOrUndefined(existing, field);
    if (info && !info.isDirectory()) {
      throw new UserError(
        existing === absolute
          ? `${field}: ${path} is a file, not a folder; name a folder to write into`
          : `${field}: ${path} lies under ${existing}, which is a file, not a folder`,
      );
    }
    if (info || dirname(existing) === existing) break;
    existing = dirname(existing);
  }
  const real = join(await realpath(existing), relative(existing, absolute));
  const system = SYSTEM_ROOTS.find((root) => [absolute, real].some((p) => isInside(p, root)));
  if (system) {
    throw new UserError(
      `${field}: ${path} is under ${system}, a kernel file system; name a folder on a disk`,
    );
  }
  return real;
}

/** Whether `path` is `folder` or lies inside it (both absolute, symlinks resolved). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function statOrUndefined(path: string, field: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new UserError(`${field}: cannot use ${path}: ${(err as Error).message}`);
  }
}
