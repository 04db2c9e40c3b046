export { evaluate } from './evaluate.js';
export { RefDeviceTensor } from './ref-device-tensor.js';
export { ReferenceBackend } from './reference-backend.js';
export type { Precision } from './storage.js';
