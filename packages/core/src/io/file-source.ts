import { UserError } from '../errors/index.js';

/** One file read by byte ranges: a file on disk, a fetched URL, a `File` the user dropped. */
export interface RandomAccessFile {
  /** Where it is, for messages: a path or a URL. */
  readonly path: string;
  readonly size: number;
  /**
   * `length` bytes from `position`, in a fresh buffer (aligned for any typed-array view); a file
   * shorter than that is a UserError.
   */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * A folder of files to read: a folder on disk in Node, a URL (fetch) or the files a user dropped
 * (`File`) in a browser. Model folders, tokenizers and adapters load from any of them.
 */
export interface FileSource {
  /** Where it is, for messages: a folder path, a URL, the name of the dropped files. */
  readonly location: string;
  /** Where file `name` is, for messages. */
  pathOf(name: string): string;
  /** The names of its files; undefined where a source cannot list them (a URL). */
  list(): Promise<string[] | undefined>;
  /** Opens file `name`; undefined when there is no such file. */
  open(name: string): Promise<RandomAccessFile | undefined>;
}

export function isFileSource(value: unknown): value is FileSource {
  return typeof value === 'object' && value !== null && 'open' in value && 'pathOf' in value;
}

/** All of file `name`'s bytes, or undefined when there is no such file. */
export async function readSourceBytes(
  source: FileSource,
  name: string,
): Promise<Uint8Array | undefined> {
  return readAllAndClose(await source.open(name));
}

/** All of an opened file's bytes (undefined for no file); the file is closed after. */
export async function readAllAndClose(
  file: RandomAccessFile | undefined,
): Promise<Uint8Array | undefined> {
  if (!file) return undefined;
  try {
    return await file.read(0, file.size);
  } finally {
    await file.close();
  }
}

/** File `name` as UTF-8 text, or undefined when there is no such file. */
export async function readSourceText(
  source: FileSource,
  name: string,
): Promise<string | undefined> {
  const bytes = await readSourceBytes(source, name);
  return bytes && new TextDecoder().decode(bytes);
}

/** A file held in memory (fetched, or read from a `File`). */
export function bytesFile(path: string, bytes: Uint8Array): RandomAccessFile {
  return {
    path,
    size: bytes.length,
    read: async (position, length) => {
      if (position + length > bytes.length) throw truncated(path, position, length);
      return bytes.slice(position, position + length); // a copy: its own, aligned buffer
    },
    close: async () => {},
  };
}

export function truncated(path: string, position: number, length: number): UserError {
  return new UserError(
    `${path}: the file ends before byte ${position + length} (expected ${length} bytes from byte ${position}); it is truncated`,
  );
}
