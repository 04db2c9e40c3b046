import { availableParallelism } from 'node:os';
import {
  type Backend,
  type DeviceTensor,
  type Graph,
  type HostTensor,
  UserError,
} from '@tunekit/core';
import type * as ort from 'onnxruntime-node';
import { lowerToOnnx } from './lower.js';
import { OnnxDeviceTensor } from './onnx-device-tensor.js';
import { OnnxExecutable } from './onnx-executable.js';
import { fromOrt, toOrt } from './ort-tensor.js';

export interface OnnxBackendOptions {
  /** Intra-op threads; default: every core of the machine. */
  readonly threads?: number;
}

/** Compiles each graph to one ONNX model and runs it in onnxruntime-node on the CPU. */
export class OnnxBackend implements Backend {
  readonly id = 'onnx';
  private readonly executables = new Set<OnnxExecutable>();
  private readonly sessionOptions: ort.InferenceSession.SessionOptions;

  constructor(opts: OnnxBackendOptions = {}) {
    this.sessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: opts.threads ?? availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      logSeverityLevel: 3,
    };
  }

  compile(graph: Graph): OnnxExecutable {
    const exe = new OnnxExecutable(graph, lowerToOnnx(graph), this.sessionOptions);
    this.executables.add(exe);
    return exe;
  }

  upload(tensor: HostTensor): OnnxDeviceTensor {
    return new OnnxDeviceTensor(toOrt(tensor), tensor.shape, tensor.dtype);
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    if (!(tensor instanceof OnnxDeviceTensor)) {
      throw new UserError(
        `onnx backend: cannot download a tensor of backend '${tensor.backendId}'`,
      );
    }
    return fromOrt(tensor.value);
  }

  dispose(): void {
    for (const exe of this.executables) exe.dispose();
    this.executables.clear();
  }
}
