export { type SplitOptions, type SplitResult, splitRecords } from './split-records.js';
