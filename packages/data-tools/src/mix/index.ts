export { type MixSource, mixRecords } from './mix-records.js';
