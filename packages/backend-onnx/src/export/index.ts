export { EXPORTED_COMPANION_FILES } from './companion-files.js';
export { type ExportCausalLMOptions, exportCausalLMToOnnx } from './export-causal-lm.js';
export {
  ONNX_DATA_FILE,
  ONNX_MODEL_FILE,
  ONNX_SUBFOLDER,
  type OnnxModelFileOptions,
} from './onnx-model-file.js';
