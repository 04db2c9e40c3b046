import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isNotFound } from './file-io.js';

/** The prefix of the temporary folder `writeFolderAtomically` fills beside the final one. */
export const TMP_FOLDER_PREFIX = '.tmp-';

/**
 * Writes folder `final` so that it is either unchanged or complete: `write` fills a temporary
 * folder beside it (`.tmp-<name>-<random>`, on the same disk, as a rename needs), which then takes
 * the place of `final`. An existing `final` is moved aside first and removed only once the new one
 * is in place, so a crash leaves the old folder or the new one, never half of either. On failure
 * the temporary folder is removed and `final` is untouched.
 */
export async function writeFolderAtomically<T>(
  final: string,
  write: (tmp: string) => Promise<T>,
): Promise<T> {
  const parent = dirname(final);
  await mkdir(parent, { recursive: true });
  const tmp = join(
    parent,
    `${TMP_FOLDER_PREFIX}${basename(final)}-${randomBytes(4).toString('hex')}`,
  );
  await mkdir(tmp);
  let result: T;
  try {
    result = await write(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  if (await exists(final)) {
    const old = `${tmp}.old`;
    await rename(final, old);
    await rename(tmp, final);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, final);
  }
  return result;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
