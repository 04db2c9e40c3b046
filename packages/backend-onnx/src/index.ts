export {
  EXPORTED_COMPANION_FILES,
  type ExportCausalLMOptions,
  exportCausalLMToOnnx,
  ONNX_DATA_FILE,
  ONNX_MODEL_FILE,
  ONNX_SUBFOLDER,
  type OnnxModelFileOptions,
} from './export/index.js';
export { decomposeForOnnx, type LoweredGraph, lowerToOnnx, OPSET } from './lower.js';
export { OnnxBackend, type OnnxBackendOptions } from './onnx-backend.js';
export { OnnxDeviceTensor } from './onnx-device-tensor.js';
export { OnnxExecutable } from './onnx-executable.js';
export { type OnnxOptions, onnxOptionsSchema } from './onnx-options.js';
export { onnxBackendFactory, plugin } from './plugin.js';
export { SessionCache, type SessionCacheOptions } from './session-cache.js';
