export { CONVERT_TARGETS, type ConvertTarget, convertRecord } from './convert-record.js';
export {
  type DatasetInfoEntry,
  type DatasetInfoSource,
  mapDatasetInfoRecord,
  readDatasetInfo,
} from './dataset-info.js';
