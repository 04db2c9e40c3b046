import { UserError } from '../errors/index.js';
import { bytesFile } from './file-source.js';
import type * as NodeHost from './host-folder.node.js';
import { urlSource } from './url-source.js';

// What a plain string names in a browser: a URL, relative to the page (see host-folder.node.ts).
// Typed as the Node file's functions, so the two cannot drift apart.

/** The folder a string names: a URL, read with fetch. */
export const hostFolder: typeof NodeHost.hostFolder = (dir) => urlSource(dir);

/** The file a string names: a URL; undefined on a 404. */
export const openHostFile: typeof NodeHost.openHostFile = async (path) => {
  const response = await fetch(path);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${response.statusText}`);
  return bytesFile(path, new Uint8Array(await response.arrayBuffer()));
};

/** A page cannot write folders: it offers the files as downloads instead. */
export const writeFolderFiles: typeof NodeHost.writeFolderFiles = async (dir) => {
  throw new UserError(
    `cannot write ${dir} in a browser; offer the files as downloads (e.g. adapterFileBytes)`,
  );
};

/** A URL's folder cannot be listed. */
export const hostSubFolders: typeof NodeHost.hostSubFolders = async () => undefined;
