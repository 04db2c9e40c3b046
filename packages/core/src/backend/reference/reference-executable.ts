import { UserError } from '../../errors/index.js';
import type { Graph, Node } from '../../graph/node.js';
import type { OpDef, RefContext, RefTensor } from '../../graph/op-def.js';
import type { OpName } from '../../graph/op-name.js';
import { OPS } from '../../graph/ops/index.js';
import { formatShape, sameShape } from '../../graph/shape.js';
import { HostTensor } from '../../tensor/index.js';
import type { Executable, Feed, RunOptions } from '../backend.js';
import { RefDeviceTensor } from './ref-device-tensor.js';
import { allocFor, fromHost, type Precision, roundToStorage, toHost } from './storage.js';

export class ReferenceExecutable implements Executable {
  private readonly ctx: RefContext;
  /** For each node, the index of the last node that reads it, so values are freed early. */
  private readonly lastUse: Int32Array;

  constructor(
    readonly graph: Graph,
    private readonly precision: Precision,
  ) {
    this.ctx = { alloc: allocFor(precision) };
    this.lastUse = new Int32Array(graph.nodes.length).fill(-1);
    for (const node of graph.nodes) for (const i of node.inputs) this.lastUse[i] = node.id;
    for (const o of graph.outputs) this.lastUse[o.node] = graph.nodes.length;
    for (const u of graph.updates) this.lastUse[u.node] = graph.nodes.length;
  }

  async run(
    feeds: Readonly<Record<string, Feed>>,
    opts: RunOptions = {},
  ): Promise<Record<string, HostTensor>> {
    const values: (RefTensor | undefined)[] = new Array(this.graph.nodes.length);
    for (const input of this.graph.inputs) values[input.node] = this.feedValue(input.name, feeds);
    for (const node of this.graph.nodes) {
      if (node.op !== 'input') values[node.id] = this.evalNode(node, values);
      for (const i of node.inputs) if (this.lastUse[i] === node.id) values[i] = undefined;
    }
    // updates are applied after the whole graph ran, so every op saw the old values
    for (const u of this.graph.updates) {
      (feeds[u.input] as RefDeviceTensor).value = values[u.node] as RefTensor;
    }
    const fetch = opts.fetch ?? this.graph.outputs.map((o) => o.name);
    const out: Record<string, HostTensor> = {};
    for (const name of fetch) {
      const o = this.graph.outputs.find((x) => x.name === name);
      if (!o)
        throw new UserError(
          `no output named '${name}'; outputs: ${this.graph.outputs.map((x) => x.name).join(', ')}`,
        );
      out[name] = toHost(values[o.node] as RefTensor);
    }
    return out;
  }

  dispose(): void {}

  private evalNode(node: Node, values: readonly (RefTensor | undefined)[]): RefTensor {
    const def = OPS[node.op] as OpDef<OpName>;
    const inputs = node.inputs.map((i) => values[i] as RefTensor);
    const data = def.reference(inputs, node.attrs, node, this.ctx);
    roundToStorage(node.dtype, data);
    return { shape: node.shape, dtype: node.dtype, data };
  }

  private feedValue(name: string, feeds: Readonly<Record<string, Feed>>): RefTensor {
    const input = this.graph.inputs.find((i) => i.name === name);
    const feed = feeds[name];
    if (!input) throw new UserError(`no graph input named '${name}'`);
    if (feed === undefined) {
      const missing = this.graph.inputs
        .filter((i) => feeds[i.name] === undefined)
        .map((i) => i.name);
      throw new UserError(`inputs not fed: ${missing.join(', ')}`);
    }
    if (!sameShape(feed.shape, input.shape) || feed.dtype !== input.dtype) {
      throw new UserError(
        `input '${name}': expected ${input.dtype}${formatShape(input.shape)}, got ${feed.dtype}${formatShape(feed.shape)}`,
      );
    }
    const updated = this.graph.updates.some((u) => u.input === name);
    if (feed instanceof HostTensor) {
      if (updated)
        throw new UserError(
          `input '${name}' is updated in place: feed a device tensor (backend.upload)`,
        );
      return fromHost(feed, this.precision);
    }
    if (!(feed instanceof RefDeviceTensor)) {
      throw new UserError(
        `input '${name}': a tensor of backend '${feed.backendId}' was fed to the reference backend`,
      );
    }
    return feed.value;
  }
}
