import {
  type Executable,
  type Feed,
  type Graph,
  HostTensor,
  isFloat,
  type RunOptions,
  UserError,
} from '@tunekit/core';
import type { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { withFrozenInitializers } from './frozen-initializers.js';
import type { LoweredGraph } from './lower.js';
import { OnnxDeviceTensor } from './onnx-device-tensor.js';
import { OnnxProto } from './onnx-proto.js';
import { fromOrt, toOrt } from './ort-tensor.js';
import type { SessionCache } from './session-cache.js';

/** A lowered graph before encoding: what a session is made from. */
export type LoweredModel = Omit<LoweredGraph, 'bytes'> & { readonly model: onnx.IModelProto };

export interface OnnxExecutableOptions {
  readonly session: ort.InferenceSession.SessionOptions;
  /**
   * 'initializers': the frozen device tensors fed to the first run become constants of the session
   * (see withFrozenInitializers); 'inputs': they are fed on every run like any other input.
   * Integer frozen tensors (4-bit packed weights, 8-bit quantized absmax) are always fed: baked,
   * onnxruntime's constant folding would dequantize every weight into an f32 initializer at session
   * creation, the whole model in f32 at once.
   */
  readonly frozenWeights: 'initializers' | 'inputs';
  /** Where optimized models are kept across processes; absent: every session is optimized anew. */
  readonly cache?: SessionCache;
}

/**
 * One ONNX Runtime session for one whole graph, created at the first run. Device tensors fed to
 * inputs that the graph updates take the new values after each run: onnxruntime writes them into a
 * second buffer per tensor, and the two buffers swap (ORT has no in-place outputs), so a training
 * step allocates nothing for its parameters and optimizer state.
 *
 * With frozen weights as initializers, later runs must feed the same frozen device tensors: feeding
 * another one rebuilds the session (slow, and counted in `sessionsCreated`).
 */
export class OnnxExecutable implements Executable {
  private session?: Promise<ort.InferenceSession>;
  /** The frozen device tensors the current session holds as initializers, and their buffers. */
  private baked = new Map<string, OnnxDeviceTensor>();
  private bakedValues = new Map<string, ort.Tensor>();
  /** Per updated input, the buffer the next run writes its new value into. */
  private readonly spares = new Map<string, ort.Tensor>();
  /** The buffers this executable allocated; an uploaded buffer is never written (the host may share it). */
  private readonly owned = new WeakSet<object>();
  private running = false;
  /** Milliseconds spent creating the latest ORT session (graph optimisation, kernel selection). */
  sessionCreateMs = 0;
  /** CPU milliseconds of this process (all threads) over that creation: a loaded machine inflates them less. */
  sessionCreateCpuMs = 0;
  sessionsCreated = 0;
  /** Whether the latest session was made from a cached optimized model. */
  sessionFromCache = false;

  constructor(
    readonly graph: Graph,
    private readonly lowered: LoweredModel,
    private readonly options: OnnxExecutableOptions,
  ) {}

  async run(
    feeds: Readonly<Record<string, Feed>>,
    opts: RunOptions = {},
  ): Promise<Record<string, HostTensor>> {
    this.checkFeeds(feeds);
    const fetch = opts.fetch ?? this.graph.outputs.map((o) => o.name);
    const fetchNames = fetch.map((name) => this.outputName(name));
    if (this.running)
      throw new UserError('onnx backend: an executable runs one graph at a time; await each run');
    this.running = true;
    try {
      const session = await this.sessionFor(feeds);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const input of this.graph.inputs) {
        if (this.baked.has(input.name)) continue;
        const updated = this.lowered.updateNames.has(input.name);
        ortFeeds[input.name] = feedValue(input.name, feeds[input.name], updated);
      }
      const fetches: Record<string, ort.Tensor | null> = {};
      for (const name of fetchNames) fetches[name] = null;
      for (const [input, onnxName] of this.lowered.updateNames)
        fetches[onnxName] = this.spareFor(input, feeds[input] as OnnxDeviceTensor);
      const results = await session.run(ortFeeds, fetches);
      for (const [input, onnxName] of this.lowered.updateNames) {
        const device = feeds[input] as OnnxDeviceTensor;
        const written = fetches[onnxName] as ort.Tensor;
        if (this.owned.has(device.value.data)) this.spares.set(input, device.value);
        else this.spares.delete(input);
        device.value = written;
      }
      return Object.fromEntries(fetch.map((name, i) => [name, fromOrt(results[fetchNames[i]])]));
    } finally {
      this.running = false;
    }
  }

  /** Nodes of the lowered ONNX graph, before onnxruntime's optimisations (for reports). */
  get onnxNodeCount(): number {
    return this.lowered.model.graph?.node?.length ?? 0;
  }

  dispose(): void {
    void this.session?.then((s) => s.release());
    this.session = undefined;
    this.spares.clear();
  }

  private checkFeeds(feeds: Readonly<Record<string, Feed>>): void {
    for (const input of this.graph.inputs) {
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
    }
  }

  /** The session for these feeds: the current one, unless the frozen device tensors changed. */
  private sessionFor(feeds: Readonly<Record<string, Feed>>): Promise<ort.InferenceSession> {
    const frozen = new Map<string, OnnxDeviceTensor>();
    if (this.options.frozenWeights === 'initializers') {
      for (const input of this.graph.inputs) {
        const feed = feeds[input.name];
        if (input.role === 'frozen' && isFloat(input.dtype) && feed instanceof OnnxDeviceTensor)
          frozen.set(input.name, feed);
      }
    }
    const same =
      frozen.size === this.baked.size &&
      [...frozen].every(
        ([name, t]) => this.baked.get(name) === t && this.bakedValues.get(name) === t.value,
      );
    if (!this.session || !same) {
      this.dispose();
      this.baked = frozen;
      this.bakedValues = new Map([...frozen].map(([name, t]) => [name, t.value]));
      this.session = this.createSession(frozen);
    }
    return this.session;
  }

  private async createSession(
    frozen: ReadonlyMap<string, OnnxDeviceTensor>,
  ): Promise<ort.InferenceSession> {
    const [start, cpuStart] = [performance.now(), process.cpuUsage()];
    const { model, externalData } = withFrozenInitializers(this.lowered.model, frozen);
    const bytes = OnnxProto.ModelProto.encode(model).finish();
    const options = { ...this.options.session, externalData };
    // baked frozen weights would put their values into the cached file: only cache without them
    const cache = frozen.size === 0 ? this.options.cache : undefined;
    this.sessionFromCache = false;
    try {
      const session = cache
        ? await this.createCached(cache, bytes, options)
        : await ort.InferenceSession.create(bytes, options);
      this.sessionCreateMs = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      this.sessionCreateCpuMs = (cpu.user + cpu.system) / 1000;
      this.sessionsCreated++;
      return session;
    } catch (e) {
      throw new UserError(
        `onnx backend: onnxruntime rejected the lowered graph: ${(e as Error).message}`,
      );
    }
  }

  /**
   * The session from the cached optimized model, loaded without optimizing again; else a session
   * optimized from `bytes` that writes its optimized model into the cache.
   */
  private async createCached(
    cache: SessionCache,
    bytes: Uint8Array,
    options: ort.InferenceSession.SessionOptions,
  ): Promise<ort.InferenceSession> {
    const key = cache.key(bytes, options);
    const cached = await cache.lookup(key);
    if (cached) {
      try {
        const session = await ort.InferenceSession.create(cached, {
          ...options,
          graphOptimizationLevel: 'disabled',
        });
        this.sessionFromCache = true;
        return session;
      } catch {
        await cache.discard(cached); // unreadable (truncated, foreign): made anew below
      }
    }
    const pending = await cache.pendingPath(key);
    const start = performance.now();
    try {
      const session = await ort.InferenceSession.create(bytes, {
        ...options,
        ...(pending && { optimizedModelFilePath: pending }),
      });
      if (pending && performance.now() - start >= cache.minCreateMs)
        await cache.commit(pending, key);
      else if (pending) await cache.discard(pending);
      return session;
    } catch (e) {
      if (pending) await cache.discard(pending);
      throw e;
    }
  }

  /** The buffer this run writes `input`'s new value into (never the one it reads). */
  private spareFor(input: string, device: OnnxDeviceTensor): ort.Tensor {
    const spare = this.spares.get(input);
    if (spare && spare.data !== device.value.data) return spare;
    const data = device.value.data as Float32Array;
    const fresh = new (data.constructor as Float32ArrayConstructor)(data.length);
    this.owned.add(fresh);
    return new ort.Tensor(device.value.type, fresh, [...device.shape]);
  }

  private outputName(name: string): string {
    const onnxName = this.lowered.outputNames.get(name);
    if (!onnxName) {
      throw new UserError(
        `no output named '${name}'; outputs: ${[...this.lowered.outputNames.keys()].join(', ')}`,
      );
    }
    return onnxName;
  }
}

function feedValue(name: string, feed: Feed, updated: boolean): ort.Tensor {
  if (feed instanceof HostTensor) {
    if (updated)
      throw new UserError(
        `input '${name}' is updated in place: feed a device tensor (backend.upload)`,
      );
    return toOrt(feed);
  }
  if (!(feed instanceof OnnxDeviceTensor)) {
    throw new UserError(
      `input '${name}': a tensor of backend '${feed.backendId}' was fed to the onnx backend`,
    );
  }
  return feed.value;
}
