export { checkDataOutput, type WriteDataFileOptions, writeDataFile } from './write-data-file.js';
