export { type BatchPlan, lazyPlan, type TrainBatch } from './batch.js';
export {
  bucketFor,
  collate,
  defaultBucketLengths,
  LABEL_WEIGHTS_INPUT,
  type PlannedBatch,
  packRows,
  planBatches,
} from './batching/index.js';
export { ClassLabels } from './class-labels.js';
export { DataTally } from './data-tally.js';
export type { EvalPrompt } from './eval-prompt.js';
export type { Example } from './example.js';
export { sha256OfJson, tokenizerHash } from './fingerprint.js';
export type { FitOptions } from './fit-record.js';
export * from './formats/index.js';
export { type ClassificationData, loadClassificationData } from './load-classification-data.js';
export {
  type EmbeddingData,
  type EmbeddingPair,
  loadEmbeddingData,
  POOLING_MODES,
  type PoolingMode,
  pooledExample,
} from './load-embedding-data.js';
export { dataInputs, type LoadSftDataDeps, loadSftData } from './load-sft-data.js';
export {
  type LoadedSource,
  type LoadSourceOptions,
  loadSource,
  type ParsedRecord,
  readDataSources,
} from './load-source.js';
export { type ReadSource, readSources, splitSources, unlessInvalid } from './load-splits.js';
export { type LoaderSetup, loaderSetup } from './loader-setup.js';
export { mixedLength, mixSources, temperatureWeights, type WeightedSource } from './mix-sources.js';
export { type DataFile, expandPaths, type RawRecord, readRecords } from './read/index.js';
export { epochRandom, shuffle } from './seeded-order.js';
export type { DataFileInput, DataStats, SftData, SourceStats, TaskSplit } from './sft-data.js';
export {
  type DataSource,
  dataSourceSchema,
  refineSftData,
  type SftDataConfig,
  type SftDataConfigInput,
  sftDataConfigSchema,
  sftDataFields,
} from './sft-data-config.js';
export { type SourceHead, sourceHeadSchema } from './source-head.js';
export { splitEval } from './split-eval.js';
export { templateFit } from './template-fit.js';
export {
  encodeText,
  readTextSource,
  recordText,
  type TextRecord,
  type TextSource,
} from './text-records.js';
