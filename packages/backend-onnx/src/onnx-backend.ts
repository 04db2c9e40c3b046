import { availableParallelism } from 'node:os';
import { type Backend, type DeviceTensor, type Graph, HostTensor, UserError } from '@tunekit/core';
import type * as ort from 'onnxruntime-node';
import { lowerToModelProto } from './lower.js';
import { OnnxDeviceTensor } from './onnx-device-tensor.js';
import { OnnxExecutable, type OnnxExecutableOptions } from './onnx-executable.js';
import { fromOrt, toOrt } from './ort-tensor.js';
import { SessionCache, type SessionCacheOptions } from './session-cache.js';

export interface OnnxBackendOptions {
  /** Intra-op threads; default: every core of the machine. */
  readonly threads?: number;
  /**
   * How frozen device tensors reach onnxruntime: fed to every run ('inputs', the default), or
   * baked into the session as constants ('initializers'), which lets onnxruntime fold their
   * transposes and pre-pack them for its matmul kernels once. Measured on SmolLM2-135M LoRA
   * (bench/README.md), initializers save under 5% of a step and add about 2.5x the frozen matmul
   * weights to peak memory (folded transposes, packed copies), so they are opt-in.
   */
  readonly frozenWeights?: OnnxExecutableOptions['frozenWeights'];
  /**
   * Keep onnxruntime's optimized models on disk so that a later process creates the same session
   * without optimizing it again (SessionCache); absent: no cache. The plugin's factory sets it.
   */
  readonly sessionCache?: SessionCacheOptions;
  /**
   * onnxruntime's profiler on: each session writes a Chrome-trace JSON of its runs, one event per
   * node with its time (`<prefix>_<date>.json`, when the session is released). For the bench's
   * profile of a step; off by default (it costs time).
   */
  readonly profileFilePrefix?: string;
}

/** Compiles each graph to one ONNX model and runs it in onnxruntime-node on the CPU. */
export class OnnxBackend implements Backend {
  readonly id = 'onnx';
  private readonly executables = new Set<OnnxExecutable>();
  private readonly options: OnnxExecutableOptions;

  constructor(opts: OnnxBackendOptions = {}) {
    const session: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: opts.threads ?? availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // A memory pattern makes onnxruntime allocate, from the second run on, one block for all
      // intermediates beside what its arena already holds from the first: SmolLM2-135M LoRA peaks
      // at 8.1 GB with it, 5.1 GB without, and steps no slower.
      enableMemPattern: false,
      logSeverityLevel: 3,
      ...(opts.profileFilePrefix && {
        enableProfiling: true,
        profileFilePrefix: opts.profileFilePrefix,
      }),
    };
    this.options = {
      session,
      frozenWeights: opts.frozenWeights ?? 'inputs',
      cache: opts.sessionCache && new SessionCache(opts.sessionCache),
    };
  }

  /** Its threads and where frozen weights go (the `intra_op_num_threads` and `frozen_weights` options). */
  get summary(): string {
    const { session, frozenWeights } = this.options;
    const weights =
      frozenWeights === 'initializers'
        ? 'baked into each session as initializers'
        : 'fed to each run as inputs';
    return `onnx backend: ${session.intraOpNumThreads} intra-op threads, frozen weights ${weights} (frozen_weights: ${frozenWeights})`;
  }

  compile(graph: Graph): OnnxExecutable {
    const exe = new OnnxExecutable(graph, lowerToModelProto(graph), this.options);
    this.executables.add(exe);
    return exe;
  }

  upload(tensor: HostTensor): OnnxDeviceTensor {
    return new OnnxDeviceTensor(toOrt(tensor), tensor.shape, tensor.dtype);
  }

  /** A copy: the device tensor's buffer is reused by later runs. */
  async download(tensor: DeviceTensor): Promise<HostTensor> {
    if (!(tensor instanceof OnnxDeviceTensor)) {
      throw new UserError(
        `onnx backend: cannot download a tensor of backend '${tensor.backendId}'`,
      );
    }
    const host = fromOrt(tensor.value);
    return new HostTensor(host.dtype, host.shape, host.data.slice() as typeof host.data);
  }

  dispose(): void {
    for (const exe of this.executables) exe.dispose();
    this.executables.clear();
  }
}
