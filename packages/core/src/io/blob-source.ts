import { type FileSource, type RandomAccessFile, truncated } from './file-source.js';

/**
 * Files a user picked or dropped in a browser (`File` objects, or any `Blob` with a name), as a
 * folder: each is found by its base name. Reads slice the blob, so a large file is never held whole.
 */
export function blobSource(
  files: Iterable<Blob & { readonly name: string }>,
  location = 'the chosen files',
): FileSource {
  const byName = new Map([...files].map((f) => [f.name.split('/').pop() as string, f]));
  const pathOf = (name: string) => `${location}: ${name}`;
  return {
    location,
    pathOf,
    list: async () => [...byName.keys()],
    async open(name) {
      const blob = byName.get(name);
      return blob && blobFile(pathOf(name), blob);
    },
  };
}

function blobFile(path: string, blob: Blob): RandomAccessFile {
  return {
    path,
    size: blob.size,
    async read(position, length) {
      if (position + length > blob.size) throw truncated(path, position, length);
      return new Uint8Array(await blob.slice(position, position + length).arrayBuffer());
    },
    close: async () => {},
  };
}
