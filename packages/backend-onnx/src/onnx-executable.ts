import {
  type Executable,
  type Feed,
  type Graph,
  HostTensor,
  type RunOptions,
  UserError,
} from '@tunekit/core';
import * as ort from 'onnxruntime-node';
import type { LoweredGraph } from './lower.js';
import { OnnxDeviceTensor } from './onnx-device-tensor.js';
import { fromOrt, toOrt } from './ort-tensor.js';

/**
 * One ONNX Runtime session for one whole graph. Device tensors fed to inputs that the graph updates
 * take the new values after each run (ORT has no in-place outputs, so the tensor is swapped).
 */
export class OnnxExecutable implements Executable {
  private session?: Promise<ort.InferenceSession>;
  /** Milliseconds spent creating the ORT session (graph optimisation, kernel selection). */
  sessionCreateMs = 0;

  constructor(
    readonly graph: Graph,
    private readonly lowered: LoweredGraph,
    private readonly options: ort.InferenceSession.SessionOptions,
  ) {}

  private getSession(): Promise<ort.InferenceSession> {
    if (!this.session) {
      const start = performance.now();
      this.session = ort.InferenceSession.create(this.lowered.bytes, this.options).then(
        (s) => {
          this.sessionCreateMs = performance.now() - start;
          return s;
        },
        (e: Error) => {
          throw new UserError(`onnx backend: onnxruntime rejected the lowered graph: ${e.message}`);
        },
      );
    }
    return this.session;
  }

  async run(
    feeds: Readonly<Record<string, Feed>>,
    opts: RunOptions = {},
  ): Promise<Record<string, HostTensor>> {
    const session = await this.getSession();
    const ortFeeds: Record<string, ort.Tensor> = {};
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
      ortFeeds[input.name] = feedValue(input.name, feed, this.lowered.updateNames.has(input.name));
    }
    const fetch = opts.fetch ?? this.graph.outputs.map((o) => o.name);
    const fetchNames = [
      ...fetch.map((name) => this.outputName(name)),
      ...this.lowered.updateNames.values(),
    ];
    const results = await session.run(ortFeeds, fetchNames);
    for (const [input, onnxName] of this.lowered.updateNames) {
      (feeds[input] as OnnxDeviceTensor).value = results[onnxName];
    }
    return Object.fromEntries(fetch.map((name) => [name, fromOrt(results[this.outputName(name)])]));
  }

  dispose(): void {
    void this.session?.then((s) => s.release());
    this.session = undefined;
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
