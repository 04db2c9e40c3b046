import { runNodeChild } from './node-child.js';
import type { TrainerResult } from './trainer-child.js';
import type { TrainerWorkload } from './workloads.js';

export type { TrainerResult };

/** One trainer workload on the onnx backend in its own node process. */
export function runTrainer(w: TrainerWorkload, threads: number): TrainerResult {
  return runNodeChild('./trainer-child.ts', [w.id, String(threads)]);
}
