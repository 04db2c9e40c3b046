import {
  type Executable,
  type Feed,
  type Graph,
  HostTensor,
  type RunOptions,
  sizeOf,
  UserError,
} from '@tunekit/core';
import { BindGroups } from './bind-groups.js';
import { convertStorage } from './convert-storage.js';
import { deviceBytes, fromWords, toWords } from './host-data.js';
import { packHalves } from './host-halves.js';
import { halfBytes } from './kernels/half.js';
import type { PipelineCache } from './pipeline-cache.js';
import type { CompiledGraph, Slot } from './plan/compile-graph.js';
import { ReadBackPool } from './read-back.js';
import { WebGpuDeviceTensor } from './webgpu-device-tensor.js';

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * One compiled graph on one device. Its planned buffers, pipelines, bind groups (bind-groups.ts),
 * read-back buffers (read-back.ts) and the buffers of its data inputs are made once; a run writes
 * the host feeds, encodes every dispatch, the in-place updates (copies into the fed device
 * tensors, after every kernel read the old values) and the read-back copies into one command
 * buffer, submits it once and maps the fetched outputs.
 *
 * Everything up to the submission happens when `run` is called, before it first awaits: runs
 * queue on the device in call order, so a caller may start the next run (which reads this run's
 * in-place updates) before this one's outputs are read back, and the device never waits for the
 * host between them.
 */
export class WebGpuExecutable implements Executable {
  private readonly planned: GPUBuffer[];
  private readonly dataBuffers = new Map<string, GPUBuffer>();
  private readonly pipelines: GPUComputePipeline[];
  /** Per step, the uniform buffer of its kernel's sizes (see Kernel.params), written once. */
  private readonly uniforms: (GPUBuffer | undefined)[];
  private readonly bindGroups: BindGroups;
  private readonly readBack: ReadBackPool;
  private readonly updated: ReadonlySet<string>;
  /** For the kernels that convert a fed tensor's storage (convert-storage.ts). */
  private readonly pipelineCache: PipelineCache;
  /** Pipeline creation reports errors asynchronously; the first run says them. */
  private readonly compileError: Promise<GPUError | null>;

  constructor(
    readonly graph: Graph,
    private readonly program: CompiledGraph,
    private readonly device: GPUDevice,
    pipelines: PipelineCache,
  ) {
    this.planned = program.buffers.map((size) => device.createBuffer({ size, usage: STORAGE() }));
    this.updated = new Set(graph.updates.map((u) => u.input));
    this.pipelineCache = pipelines;
    for (const input of program.graph.inputs) {
      if (this.updated.has(input.name)) continue;
      const size = program.halfInputs.has(input.name)
        ? halfBytes(sizeOf(input.shape))
        : deviceBytes(input.shape);
      this.dataBuffers.set(input.name, device.createBuffer({ size, usage: STORAGE() }));
    }
    this.uniforms = program.steps.map(({ kernel }) => {
      if (!kernel.params) return undefined;
      const buffer = device.createBuffer({
        size: kernel.params.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(buffer, 0, kernel.params as Uint32Array<ArrayBuffer>);
      return buffer;
    });
    device.pushErrorScope('validation');
    this.pipelines = program.steps.map((s) => pipelines.get(s.kernel.source));
    this.compileError = device.popErrorScope();
    this.bindGroups = new BindGroups(device, program, this.pipelines, this.uniforms, this.planned);
    this.readBack = new ReadBackPool(device);
  }

  async run(
    feeds: Readonly<Record<string, Feed>>,
    opts: RunOptions = {},
  ): Promise<Record<string, HostTensor>> {
    const fetch = opts.fetch ?? this.graph.outputs.map((o) => o.name);
    const outputs = fetch.map((name) => this.outputNode(name));
    const fed = this.bindFeeds(feeds);
    const { graph, steps, slots } = this.program;
    this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder();
    const replaced = this.matchStorage(feeds, fed, encoder);
    const bufferOf = (id: number): GPUBuffer => {
      const slot = slots[id] as Slot; // every output and update is planned
      return 'fed' in slot ? (fed.get(slot.fed) as GPUBuffer) : this.planned[slot.buffer];
    };
    const groups = this.bindGroups.forRun(fed);
    const pass = encoder.beginComputePass();
    let current: GPUComputePipeline | undefined;
    for (const [k, { kernel }] of steps.entries()) {
      // consecutive dispatches often share a pipeline (one in six in a LoRA step)
      if (this.pipelines[k] !== current) pass.setPipeline(this.pipelines[k]);
      current = this.pipelines[k];
      pass.setBindGroup(0, groups[k]);
      pass.dispatchWorkgroups(...kernel.workgroups);
    }
    pass.end();
    for (const u of graph.updates) {
      const from = bufferOf(u.node);
      const to = fed.get(u.input) as GPUBuffer; // bindFeeds bound every input
      if (from !== to) encoder.copyBufferToBuffer(from, 0, to, 0, to.size);
    }
    const offsets = outputs.map((id) => deviceBytes(graph.nodes[id].shape));
    let size = 0;
    for (const [k, bytes] of offsets.entries()) [offsets[k], size] = [size, size + bytes];
    const staging = size > 0 ? this.readBack.acquire(size) : undefined;
    for (const [k, id] of outputs.entries()) {
      const bytes = deviceBytes(graph.nodes[id].shape);
      encoder.copyBufferToBuffer(bufferOf(id), 0, staging as GPUBuffer, offsets[k], bytes);
    }
    this.device.queue.submit([encoder.finish()]);
    for (const b of replaced) b.destroy();
    const submitted = this.device.popErrorScope();
    const mapped = staging?.mapAsync(GPUMapMode.READ);
    // the submission is queued; from here on the run only waits for its outputs
    try {
      const compileError = await this.compileError;
      if (compileError)
        throw new Error(`webgpu backend: a kernel did not compile: ${compileError.message}`);
      const error = await submitted;
      if (error) throw new Error(`webgpu backend: invalid submission: ${error.message}`);
      await mapped;
      const result: Record<string, HostTensor> = {};
      const range = staging?.getMappedRange() as ArrayBuffer;
      for (const [k, name] of fetch.entries()) {
        const node = graph.nodes[outputs[k]];
        const words = range.slice(offsets[k], offsets[k] + deviceBytes(node.shape));
        result[name] = fromWords(node.dtype, node.shape, words);
      }
      return result;
    } finally {
      if (staging) {
        await mapped?.catch(() => undefined);
        if (staging.mapState === 'mapped') staging.unmap();
        this.readBack.release(staging);
      }
    }
  }

  dispose(): void {
    for (const b of [...this.planned, ...this.dataBuffers.values()]) b.destroy();
    for (const b of this.uniforms) b?.destroy();
    this.readBack.dispose();
    this.planned.length = 0;
    this.dataBuffers.clear();
  }

  /** Checks every feed, writes the host ones, and gives each input's buffer. */
  private bindFeeds(feeds: Readonly<Record<string, Feed>>): Map<string, GPUBuffer> {
    const bound = new Map<string, GPUBuffer>();
    for (const input of this.program.graph.inputs) {
      const feed = feeds[input.name];
      if (feed === undefined) {
        const missing = this.graph.inputs
          .filter((i) => feeds[i.name] === undefined)
          .map((i) => i.name);
        throw new UserError(`inputs not fed: ${missing.join(', ')}`);
      }
      if (feed.dtype !== input.dtype || feed.shape.join() !== input.shape.join()) {
        throw new UserError(
          `input '${input.name}': expected ${input.dtype}[${input.shape.join(', ')}], got ${feed.dtype}[${feed.shape.join(', ')}]`,
        );
      }
      if (feed instanceof HostTensor) {
        if (this.updated.has(input.name))
          throw new UserError(
            `input '${input.name}' is updated in place: feed a device tensor (backend.upload)`,
          );
        const buffer = this.dataBuffers.get(input.name) as GPUBuffer; // made for every non-updated input
        const words = this.program.halfInputs.has(input.name)
          ? packHalves(feed.toFloat64())
          : toWords(feed);
        // host arrays are never shared buffers; lib.dom's writeBuffer takes only ArrayBuffer views
        this.device.queue.writeBuffer(buffer, 0, words as Uint32Array<ArrayBuffer>);
        bound.set(input.name, buffer);
      } else if (feed instanceof WebGpuDeviceTensor) {
        bound.set(input.name, feed.buffer);
      } else {
        throw new UserError(
          `input '${input.name}': a tensor of backend '${feed.backendId}' was fed to the webgpu backend`,
        );
      }
    }
    return bound;
  }

  /**
   * Converts each fed device tensor held otherwise than this graph stores it (f32 words or f16
   * halves) and rebinds its new buffer; returns the old buffers.
   */
  private matchStorage(
    feeds: Readonly<Record<string, Feed>>,
    fed: Map<string, GPUBuffer>,
    encoder: GPUCommandEncoder,
  ): GPUBuffer[] {
    const replaced: GPUBuffer[] = [];
    for (const input of this.program.graph.inputs) {
      const feed = feeds[input.name];
      const halves = this.program.halfInputs.has(input.name);
      if (!(feed instanceof WebGpuDeviceTensor) || feed.halves === halves) continue;
      replaced.push(convertStorage(this.device, this.pipelineCache, encoder, feed, halves));
      fed.set(input.name, feed.buffer);
    }
    return replaced;
  }

  private outputNode(name: string): number {
    const o = this.program.graph.outputs.find((x) => x.name === name);
    if (!o) {
      const names = this.graph.outputs.map((x) => x.name).join(', ');
      throw new UserError(`no output named '${name}'; outputs: ${names}`);
    }
    return o.node;
  }
}
