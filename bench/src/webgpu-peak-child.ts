import { WebGpuBackend } from '@tunekit/backend-webgpu';
import { describeAdapter } from './webgpu-adapter.js';
import { webgpuMatmulPeak } from './webgpu-matmul-peak.js';

// The WebGPU adapter's description and measured fp32 matmul rate, in a process of its own (as each
// workload runs): one JSON line, `WebGpuPeak`.

const adapter = await describeAdapter();
const backend = await WebGpuBackend.create();
const matmul = await webgpuMatmulPeak(backend);
await backend.dispose();
const result = { adapter, matmul };
process.stdout.write(`${JSON.stringify(result)}\n`);

export type WebGpuPeak = typeof result;
