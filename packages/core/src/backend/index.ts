export type {
  Backend,
  BackendConfig,
  BackendFactory,
  BackendOptions,
  DeviceTensor,
  Executable,
  Feed,
  RunOptions,
} from './backend.js';
export { evaluate, type Precision, RefDeviceTensor, ReferenceBackend } from './reference/index.js';
