import type { BackendConfig } from '@tunekit/core';
import type { BenchBackend } from './bench-options.js';
import { runNodeChild } from './node-child.js';
import type { TunekitResult } from './tunekit-child.js';
import type { Workload } from './workloads.js';

export type { TunekitResult };

export interface TunekitOptions {
  readonly backend: BenchBackend;
  readonly threads: number;
  /** onnx only. */
  readonly frozenWeights: 'initializers' | 'inputs';
  /** The backend's options, parsed by its schema (`--backend-option`). */
  readonly backendOptions: BackendConfig;
}

/** One step workload on tunekit's onnx or webgpu backend in its own node process. */
export function runTunekit(w: Workload, opts: TunekitOptions): TunekitResult {
  return runNodeChild('./tunekit-child.ts', [
    w.id,
    String(opts.threads),
    opts.frozenWeights,
    opts.backend,
    JSON.stringify(opts.backendOptions),
  ]);
}
