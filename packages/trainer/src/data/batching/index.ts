export { bucketFor, defaultBucketLengths } from './bucket-lengths.js';
export { type CollateOptions, collate } from './collate.js';
export { packRows } from './pack-rows.js';
export { type PlannedBatch, planBatches } from './plan-batches.js';
