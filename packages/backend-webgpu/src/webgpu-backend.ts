import {
  type Backend,
  type DeviceTensor,
  type Graph,
  HostTensor,
  sizeOf,
  UserError,
} from '@tunekit/core';
import { type F16Weights, type WeightStorage, weightStorage } from './device/f16-weights.js';
import { type DeviceOptions, type GpuContext, requestGpu } from './device/request-device.js';
import { deviceBytes, fromWords, toWords } from './host-data.js';
import { unpackHalves } from './host-halves.js';
import { halfBytes } from './kernels/half.js';
import { PipelineCache } from './pipeline-cache.js';
import { compileGraph } from './plan/compile-graph.js';
import { WebGpuDeviceTensor } from './webgpu-device-tensor.js';
import { WebGpuExecutable } from './webgpu-executable.js';

export interface WebGpuBackendOptions extends DeviceOptions {
  /** Frozen matmul weights in f16 (see F16Weights); default `'off'`. */
  readonly f16Weights?: F16Weights;
}

/** Compiles each graph to WGSL kernels and runs it on one WebGPU device. */
export class WebGpuBackend implements Backend {
  readonly id = 'webgpu';
  private readonly executables = new Set<WebGpuExecutable>();
  private readonly tensors = new Set<WebGpuDeviceTensor>();
  private readonly pipelines: PipelineCache;

  private constructor(
    readonly gpu: GpuContext,
    /** How frozen weights are stored on this adapter, with the statement saying why. */
    readonly weights: WeightStorage,
  ) {
    this.pipelines = new PipelineCache(gpu.device);
  }

  /** Requests an adapter and a device; a UserError naming the setting to change when there is none. */
  static async create(opts: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    const gpu = await requestGpu(opts);
    return new WebGpuBackend(gpu, weightStorage(opts.f16Weights ?? 'off', gpu.shaderF16));
  }

  /** How frozen weights are stored, and why, and whether reductions use subgroups (the options, the adapter). */
  get summary(): string {
    return `${this.weights.statement}; subgroup reductions ${this.gpu.subgroups ? 'on' : 'off'}`;
  }

  compile(graph: Graph): WebGpuExecutable {
    const program = compileGraph(graph, this.gpu.limits, {
      halfWeights: this.weights.halfWeights,
      subgroups: this.gpu.subgroups,
    });
    const exe = new WebGpuExecutable(graph, program, this.gpu.device, this.pipelines);
    this.executables.add(exe);
    return exe;
  }

  upload(tensor: HostTensor): WebGpuDeviceTensor {
    const size = deviceBytes(tensor.shape);
    const buffer = this.gpu.device.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      mappedAtCreation: true,
    });
    const words = toWords(tensor);
    new Uint8Array(buffer.getMappedRange()).set(
      new Uint8Array(words.buffer, words.byteOffset, words.byteLength),
    );
    buffer.unmap();
    const uploaded = new WebGpuDeviceTensor(buffer, tensor.shape, tensor.dtype);
    this.tensors.add(uploaded);
    return uploaded;
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    if (!(tensor instanceof WebGpuDeviceTensor)) {
      throw new UserError(
        `webgpu backend: cannot download a tensor of backend '${tensor.backendId}'`,
      );
    }
    const { device } = this.gpu;
    const n = sizeOf(tensor.shape);
    const size = tensor.halves ? halfBytes(n) : deviceBytes(tensor.shape);
    const staging = device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(tensor.buffer, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const words = staging.getMappedRange().slice(0);
    const host = tensor.halves
      ? HostTensor.from(tensor.dtype, tensor.shape, unpackHalves(words, n))
      : fromWords(tensor.dtype, tensor.shape, words);
    staging.destroy();
    return host;
  }

  dispose(): void {
    for (const exe of this.executables) exe.dispose();
    for (const tensor of this.tensors) tensor.buffer.destroy();
    this.executables.clear();
    this.tensors.clear();
    this.gpu.device.destroy();
  }
}
