import { type FileHandle, readFile, stat } from 'node:fs/promises';
import { UserError } from '../errors/index.js';

// One read or write call moves at most this much: Node refuses single calls over 2 GiB.
const CHUNK_BYTES = 1 << 30;

/** Reads exactly `length` bytes at `position` into a fresh buffer; a short file is a UserError. */
export async function readExactly(
  handle: FileHandle,
  length: number,
  position: number,
  source: string,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(
      out,
      done,
      Math.min(CHUNK_BYTES, length - done),
      position + done,
    );
    if (bytesRead === 0) {
      throw new UserError(
        `${source}: the file ended at byte ${position + done}, expected ${length} bytes from byte ${position}; it is truncated or changed while being read`,
      );
    }
    done += bytesRead;
  }
  return out;
}

/** Appends all of `bytes` at the handle's current position. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(
      bytes,
      done,
      Math.min(CHUNK_BYTES, bytes.length - done),
    );
    done += bytesWritten;
  }
}

/** Whether an fs error says the path does not exist (ENOTDIR: a file stands in a folder's place). */
export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The file's bytes, or undefined when it does not exist. */
export async function readFileIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Whether a regular file is at `path` (following links, as a cache snapshot's are). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
