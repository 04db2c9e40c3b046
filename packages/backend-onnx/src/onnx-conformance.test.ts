import { describeBackendConformance } from '@tunekit/core/testing';
import { OnnxBackend } from './onnx-backend.js';

// Every op forward and gradient, and AdamW training steps of a tiny transformer, against the f64
// reference: |onnx - reference| <= 1e-5 + 1e-4 * |reference| per element.
describeBackendConformance('onnx', () => new OnnxBackend({ threads: 1 }));
