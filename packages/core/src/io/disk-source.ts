import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import { isNotFound, readExactly } from './file-io.js';
import type { FileSource, RandomAccessFile } from './file-source.js';

/** A folder on disk (Node); files are read by position, so a model never sits in memory twice. */
export function diskSource(dir: string): FileSource {
  return {
    location: dir,
    pathOf: (name) => join(dir, name),
    async list() {
      try {
        return await readdir(dir);
      } catch (err) {
        if (isNotFound(err)) throw new UserError(`${dir}: no such folder`);
        throw err;
      }
    },
    open: (name) => openDiskFile(join(dir, name)),
  };
}

/** A file on disk opened for positioned reads; undefined when there is none (EISDIR for a folder). */
export async function openDiskFile(path: string): Promise<RandomAccessFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const stats = await handle.stat();
  if (stats.isDirectory()) {
    await handle.close();
    // as fs.readFile says of a folder, so callers tell it from a missing file
    throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), {
      code: 'EISDIR',
    });
  }
  return {
    path,
    size: stats.size,
    read: (position, length) => readExactly(handle, length, position, path),
    close: () => handle.close(),
  };
}
