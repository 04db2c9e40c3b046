export {
  type DedupeOptions,
  type DedupeResult,
  type DroppedRecord,
  dedupe,
} from './dedupe.js';
export { type NearDuplicateOptions, nearDuplicateOf } from './near-duplicates.js';
