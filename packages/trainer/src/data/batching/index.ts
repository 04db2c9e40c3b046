export { bucketFor, defaultBucketLengths } from './bucket-lengths.js';
export { type CollateOptions, collate, LABEL_WEIGHTS_INPUT } from './collate.js';
export { packRows } from './pack-rows.js';
export { type PlannedBatch, planBatches } from './plan-batches.js';
