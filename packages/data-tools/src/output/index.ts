export { type DataInput, type DataManifest, manifestPath, readManifest } from './manifest.js';
export { checkDataOutput, type WriteDataFileOptions, writeDataFile } from './write-data-file.js';
