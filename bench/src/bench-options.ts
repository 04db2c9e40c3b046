import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { UserError } from '@tunekit/core';
import { type AnyWorkload, workloadById } from './workload-by-id.js';
import { WORKLOADS } from './workloads.js';

export interface BenchOptions {
  readonly workloads: readonly AnyWorkload[];
  /** Threads of both sides: onnxruntime's intra-op threads, torch's and OpenBLAS's. */
  readonly threads: number;
  readonly frozenWeights: 'inputs' | 'initializers';
}

/** `--workload a,b` (repeatable), `--threads N`, `--frozen-weights inputs|initializers`. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    // `pnpm bench -- --workload x` may pass the `--` through
    args: argv.filter((a) => a !== '--'),
    options: {
      workload: { type: 'string', multiple: true },
      threads: { type: 'string' },
      'frozen-weights': { type: 'string', default: 'inputs' },
    },
  });
  const frozenWeights = values['frozen-weights'];
  if (frozenWeights !== 'inputs' && frozenWeights !== 'initializers')
    throw new UserError(
      `--frozen-weights: expected inputs or initializers, got '${frozenWeights}'`,
    );
  const threads = values.threads === undefined ? availableParallelism() : Number(values.threads);
  if (!(Number.isInteger(threads) && threads > 0))
    throw new UserError(`--threads: expected a positive integer, got '${values.threads}'`);
  const workloads = values.workload
    ? values.workload.flatMap((w) => w.split(',')).map(workloadById)
    : WORKLOADS;
  return { workloads, threads, frozenWeights };
}
