import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { writeAll } from './file-io.js';

/** What to put in the file: its bytes or text, or a function that writes them to the handle. */
export type FileContent = string | Uint8Array | ((handle: FileHandle) => Promise<void>);

/**
 * Writes `path` so that it is either absent/unchanged or complete: the content goes to a
 * temporary file in the same folder (a rename is atomic only within one file system),
 * is flushed to disk, then renamed over `path`. On failure the temporary file is removed.
 */
export async function atomicWrite(path: string, content: FileContent): Promise<void> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx');
  try {
    if (typeof content === 'function') await content(handle);
    else await writeAll(handle, typeof content === 'string' ? Buffer.from(content) : content);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (err) {
    await handle.close().catch(() => {}); // already closed when the rename failed
    await rm(tmp, { force: true });
    throw err;
  }
}
