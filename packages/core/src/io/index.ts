export { TMP_FOLDER_PREFIX, writeFolderAtomically } from './atomic-folder.js';
export { atomicWrite, type FileContent } from './atomic-write.js';
export { blobSource } from './blob-source.js';
export {
  type DataInput,
  type DataManifest,
  type DataManifestFields,
  dataManifestPath,
  describeDataInput,
  readDataManifest,
  writeDataManifest,
} from './data-manifest.js';
export type { DeferredTensor } from './deferred-tensor.js';
export { readFileIfPresent } from './file-io.js';
export {
  bytesFile,
  type FileSource,
  isFileSource,
  type RandomAccessFile,
  readAllAndClose,
  readSourceBytes,
  readSourceText,
} from './file-source.js';
export {
  type FileInput,
  type FolderInput,
  folderSource,
  openFile,
  subFolders,
  writeFolderFiles,
} from './folder-source.js';
export {
  findCachedSnapshot,
  hubCacheDir,
  isCompleteModelFolder,
  repoCacheFolder,
} from './hf-cache.js';
export {
  HF_COMPANION_FILES,
  HF_CONFIG_FILE,
  HF_GENERATION_CONFIG_FILE,
  HF_WEIGHTS_FILE,
  HF_WEIGHTS_INDEX_FILE,
  readJsonObject,
  readOptionalJsonObject,
  shardFileName,
} from './hf-files.js';
export {
  type LoadWeightsOptions,
  loadWeights,
  readGenerationConfig,
  readHfConfig,
} from './hf-folder.js';
export {
  DEFAULT_MAX_SHARD_BYTES,
  type ModelFolderContent,
  writeModelFolder,
} from './hf-folder-write.js';
export { type ModelSourceOptions, resolveModelSource } from './hub.js';
export { parseJsonText } from './json-text.js';
export { ModelWeights } from './model-weights.js';
export { checkFinite, countNonFinite, type NonFiniteOptions } from './non-finite.js';
export { checkOutputPath, isInside } from './output-path.js';
export { SAFETENSORS_DTYPES, type SafetensorsDType } from './safetensors-dtype.js';
export {
  MAX_SAFETENSORS_HEADER_BYTES,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
} from './safetensors-header.js';
export { readSafetensorsIndex, type SafetensorsIndex } from './safetensors-index.js';
export {
  readSafetensorsBuffer,
  readSafetensorsHeader,
  SafetensorsFile,
} from './safetensors-read.js';
export { encodeSafetensors, type TensorMap, writeSafetensors } from './safetensors-write.js';
export { tunekitCacheDir } from './tunekit-cache.js';
export { urlSource } from './url-source.js';
export { widenToF32 } from './widen-to-f32.js';
