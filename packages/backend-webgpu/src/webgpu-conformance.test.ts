import { describeBackendConformance } from '@tunekit/core/testing';
import { WebGpuBackend } from './webgpu-backend.js';

// Every op forward and gradient, and AdamW training steps of a tiny transformer, against the f64
// reference: |webgpu - reference| <= 1e-5 + 1e-4 * |reference| per element.
describeBackendConformance('webgpu', () => WebGpuBackend.create());
