export { type FilterOptions, type FilterResult, filterRecords } from './filter-records.js';
