export { type ArrayElement, arrayElements } from './array-elements.js';
export { type DataFile, expandPaths } from './expand-paths.js';
export { type RawRecord, readRecords } from './read-records.js';
