import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { UserError } from '@tunekit/core';
import { type AnyWorkload, workloadById } from './workload-by-id.js';
import { WEBGPU_WORKLOADS, WORKLOADS, type Workload } from './workloads.js';

export type BenchBackend = 'onnx' | 'webgpu';

export type BenchOptions =
  | {
      readonly backend: 'onnx';
      readonly workloads: readonly AnyWorkload[];
      /** Threads of both sides: onnxruntime's intra-op threads, torch's and OpenBLAS's. */
      readonly threads: number;
      readonly frozenWeights: 'inputs' | 'initializers';
    }
  | {
      readonly backend: 'webgpu';
      /** Step workloads only: the trainer and session workloads time the onnx backend. */
      readonly workloads: readonly Workload[];
      readonly threads: number;
    };

/**
 * `--backend onnx|webgpu`, `--workload a,b` (repeatable), `--threads N`,
 * `--frozen-weights inputs|initializers` (onnx).
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    // `pnpm bench -- --workload x` may pass the `--` through
    args: argv.filter((a) => a !== '--'),
    options: {
      backend: { type: 'string', default: 'onnx' },
      workload: { type: 'string', multiple: true },
      threads: { type: 'string' },
      'frozen-weights': { type: 'string', default: 'inputs' },
    },
  });
  const threads = values.threads === undefined ? availableParallelism() : Number(values.threads);
  if (!(Number.isInteger(threads) && threads > 0))
    throw new UserError(`--threads: expected a positive integer, got '${values.threads}'`);
  const named = values.workload?.flatMap((w) => w.split(',')).map(workloadById);
  if (values.backend === 'webgpu') {
    const workloads = named ?? WEBGPU_WORKLOADS.map(workloadById);
    const steps = workloads.filter((w): w is Workload => w.kind === 'step');
    const other = workloads.find((w) => w.kind !== 'step');
    if (other)
      throw new UserError(
        `--workload ${other.id}: a ${other.kind} workload times the onnx backend; --backend webgpu runs step workloads`,
      );
    return { backend: 'webgpu', workloads: steps, threads };
  }
  if (values.backend !== 'onnx')
    throw new UserError(`--backend: expected onnx or webgpu, got '${values.backend}'`);
  const frozenWeights = values['frozen-weights'];
  if (frozenWeights !== 'inputs' && frozenWeights !== 'initializers')
    throw new UserError(
      `--frozen-weights: expected inputs or initializers, got '${frozenWeights}'`,
    );
  return { backend: 'onnx', workloads: named ?? WORKLOADS, threads, frozenWeights };
}
