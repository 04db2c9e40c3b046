import { hostFolder, hostSubFolders, openHostFile, writeFolderFiles } from '#host-folder';
import { type FileSource, isFileSource, type RandomAccessFile } from './file-source.js';

export { writeFolderFiles };

/**
 * The folders inside a folder given as a string (sorted); undefined where they cannot be listed
 * (a URL, or a FileSource).
 */
export function subFolders(folder: FolderInput): Promise<string[] | undefined> {
  return typeof folder === 'string' ? hostSubFolders(folder) : Promise.resolve(undefined);
}

/** A folder given as a string (a path on disk in Node, a URL in a browser) or as a FileSource. */
export type FolderInput = string | FileSource;

export function folderSource(folder: FolderInput): FileSource {
  return isFileSource(folder) ? folder : hostFolder(folder);
}

/** A file given as a string (a path, or a URL in a browser) or already open. */
export type FileInput = string | RandomAccessFile;

/** Opens a file given as a string; undefined when there is none. */
export function openFile(file: FileInput): Promise<RandomAccessFile | undefined> {
  return typeof file === 'string' ? openHostFile(file) : Promise.resolve(file);
}
