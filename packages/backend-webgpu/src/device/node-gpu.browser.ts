import { UserError } from '@tunekit/core';
import type * as NodeGpu from './node-gpu.node.js';

// In a browser the GPU is navigator.gpu; Dawn for Node (the `webgpu` package) is never bundled.
// package.json's `imports` swaps this file in for node-gpu.node.ts under the `browser` condition.

export const nodeGpu: typeof NodeGpu.nodeGpu = async () => {
  throw new UserError(
    'webgpu backend: this browser offers no WebGPU (navigator.gpu); enable WebGPU (Chromium: --enable-unsafe-webgpu) or use another backend',
  );
};
