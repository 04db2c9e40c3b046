import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TunekitResult } from './tunekit-child.js';
import type { Workload } from './workloads.js';

export type { TunekitResult };

const CHILD = fileURLToPath(new URL('./tunekit-child.ts', import.meta.url));

export interface TunekitOptions {
  readonly threads: number;
  readonly frozenWeights: 'initializers' | 'inputs';
}

/** One workload on the onnx backend in its own node process (its peak RSS is the workload's). */
export function runTunekit(w: Workload, opts: TunekitOptions): TunekitResult {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@tunekit/source',
      CHILD,
      w.id,
      String(opts.threads),
      opts.frozenWeights,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}
