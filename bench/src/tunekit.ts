import { runNodeChild } from './node-child.js';
import type { TunekitResult } from './tunekit-child.js';
import type { Workload } from './workloads.js';

export type { TunekitResult };

export interface TunekitOptions {
  readonly threads: number;
  readonly frozenWeights: 'initializers' | 'inputs';
}

/** One step workload on the onnx backend in its own node process. */
export function runTunekit(w: Workload, opts: TunekitOptions): TunekitResult {
  return runNodeChild('./tunekit-child.ts', [w.id, String(opts.threads), opts.frozenWeights]);
}
