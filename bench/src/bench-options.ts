import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { type OnnxOptions, plugin as onnx, onnxBackendFactory } from '@tunekit/backend-onnx';
import {
  type WebGpuOptions,
  plugin as webgpu,
  webgpuBackendFactory,
} from '@tunekit/backend-webgpu';
import { type BackendConfig, createContainer, parseBackendOptions, UserError } from '@tunekit/core';
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
      /** The backend's options (`--backend-option`, `--frozen-weights`), parsed by its schema. */
      readonly backendOptions: OnnxOptions;
    }
  | {
      readonly backend: 'webgpu';
      /** Step workloads only: the trainer and session workloads time the onnx backend. */
      readonly workloads: readonly Workload[];
      readonly threads: number;
      /** The backend's options (`--backend-option f16_weights=on`), parsed by its schema. */
      readonly backendOptions: WebGpuOptions;
    };

/**
 * `--backend onnx|webgpu`, `--workload a,b` (repeatable), `--threads N`, `--backend-option
 * key=value` (repeatable: the backend's own options, as `tunekit train` takes them, e.g.
 * f16_weights=on), `--frozen-weights inputs|initializers` (onnx: frozen_weights=...).
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    // `pnpm bench -- --workload x` may pass the `--` through
    args: argv.filter((a) => a !== '--'),
    options: {
      backend: { type: 'string', default: 'onnx' },
      workload: { type: 'string', multiple: true },
      threads: { type: 'string' },
      'frozen-weights': { type: 'string' },
      'backend-option': { type: 'string', multiple: true },
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
    const backendOptions = parseBackendOptions(
      container,
      webgpuBackendFactory,
      optionFlags(values['backend-option']),
      '--backend-option',
    );
    return { backend: 'webgpu', workloads: steps, threads, backendOptions };
  }
  if (values.backend !== 'onnx')
    throw new UserError(`--backend: expected onnx or webgpu, got '${values.backend}'`);
  const frozenWeights = values['frozen-weights'];
  const backendOptions = parseBackendOptions(
    container,
    onnxBackendFactory,
    {
      ...(frozenWeights === undefined ? {} : { frozen_weights: frozenWeights }),
      ...optionFlags(values['backend-option']),
    },
    '--backend-option (or --frozen-weights)',
  );
  if (backendOptions.intra_op_num_threads !== undefined)
    throw new UserError(
      '--backend-option intra_op_num_threads: the bench sets both sides’ threads with --threads',
    );
  return {
    backend: 'onnx',
    workloads: named ?? WORKLOADS,
    threads,
    frozenWeights: backendOptions.frozen_weights,
    backendOptions,
  };
}

/** Both backends, so that an option of the one not chosen is named as such. */
const container = createContainer([onnx, webgpu]);

/** `key=value` flags by key; a value is JSON where it parses as JSON (1, true), else a string. */
function optionFlags(flags: readonly string[] = []): BackendConfig {
  return Object.fromEntries(
    flags.map((flag) => {
      const eq = flag.indexOf('=');
      if (eq <= 0)
        throw new UserError(`--backend-option ${flag}: expected key=value, e.g. f16_weights=on`);
      const value = flag.slice(eq + 1);
      try {
        return [flag.slice(0, eq), JSON.parse(value)];
      } catch {
        return [flag.slice(0, eq), value];
      }
    }),
  );
}
