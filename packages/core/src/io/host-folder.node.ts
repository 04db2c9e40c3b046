import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { atomicWrite } from './atomic-write.js';
import { diskSource, openDiskFile } from './disk-source.js';
import type { FileSource, RandomAccessFile } from './file-source.js';

// What a plain string names where tunekit runs. This file is the Node one: a path on disk.
// package.json's `imports` swaps in host-folder.browser.ts under the `browser` condition.

/** The folder a string names: a path on disk. */
export function hostFolder(dir: string): FileSource {
  return diskSource(dir);
}

/** The file a string names: a path on disk; undefined when there is none. */
export function openHostFile(path: string): Promise<RandomAccessFile | undefined> {
  return openDiskFile(path);
}

/** Writes each file (a relative path, `/`-separated) into `dir`, atomically, making folders. */
export async function writeFolderFiles(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<void> {
  for (const [name, bytes] of files) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await atomicWrite(path, bytes);
  }
}

/** The names of the folders inside `dir`, sorted. */
export async function hostSubFolders(dir: string): Promise<string[] | undefined> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}
