export {
  type BnbQuantizationConfig,
  type BnbQuantizationSettings,
  bnbQuantizationConfig,
  readBnbQuantizationConfig,
} from './bnb-quantization-config.js';
export { type BnbWeight, bnbWeightTensors, readBnbWeight } from './bnb-weight.js';
export { type DequantizeFolderOptions, dequantizeModelFolder } from './dequantize-folder.js';
export {
  type MergeQuantizedOptions,
  type MergeQuantizedResult,
  mergeAdapterIntoQuantizedBase,
} from './merge-quantized.js';
export { pythonFloatRepr, pythonJsonDumps } from './python-json.js';
export {
  packQuantState,
  type QuantState,
  quantStateKey,
  TORCH_FLOAT_DTYPES,
  type TorchFloatDType,
  unpackQuantState,
} from './quant-state.js';
export {
  describeQuantizationError,
  measureQuantizationError,
  type QuantizationError,
} from './quantization-error.js';
export {
  type QuantizeFolderOptions,
  type QuantizeFolderResult,
  quantizeModelFolder,
} from './quantize-folder.js';
export { openQuantizedFolder, type QuantizedFolder } from './quantized-folder.js';
