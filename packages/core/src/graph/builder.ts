import { ShapeError, UserError } from '../errors/index.js';
import type { DType } from './dtype.js';
import type { Graph, GraphInput, GraphOutput, GraphUpdate, Node } from './node.js';
import type { InputRole, OpAttrs, OpName } from './op-name.js';
import { OPS } from './ops/index.js';
import { formatShape, type Shape, sameShape } from './shape.js';
import { Tensor } from './tensor.js';

/** A range of node ids traced by `GraphBuilder.checkpoint` or `GraphBuilder.layer`. */
export interface CheckpointSegment {
  readonly start: number;
  readonly end: number;
}

/** The segment of `segments` (in trace order, disjoint) that holds node `id`, if any. */
export function segmentAt(
  segments: readonly CheckpointSegment[],
  id: number,
): CheckpointSegment | undefined {
  let [lo, hi] = [0, segments.length - 1];
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (id < segments[mid].start) hi = mid - 1;
    else if (id >= segments[mid].end) lo = mid + 1;
    else return segments[mid];
  }
  return undefined;
}

/**
 * Records op applications as nodes while model code runs (tracing). Every `apply` infers the
 * output type first, so a bad shape fails here, in model code, with the op named.
 */
export class GraphBuilder {
  readonly nodes: Node[] = [];
  /**
   * Gradient-checkpointing segments: node ids [start, end) whose values the backward pass
   * recomputes from the segment's inputs instead of keeping them from the forward pass.
   */
  readonly checkpoints: CheckpointSegment[] = [];
  /**
   * Selectively recomputed segments (`GraphBuilder.recompute`): cheap node ids [start, end) whose
   * values, outputs included, the backward pass recomputes wherever it reads them.
   */
  readonly recomputed: CheckpointSegment[] = [];
  /**
   * Layers (decoder layers, traced by `GraphBuilder.layer`): the backward pass finishes the
   * gradients of a layer's parameters before its cotangents flow on to the layers below.
   */
  readonly layers: CheckpointSegment[] = [];
  private inCheckpoint = false;
  private inRecompute = false;
  private inLayer = false;
  private readonly inputs = new Map<string, GraphInput>();
  private readonly scalars = new Map<string, Tensor>();

  apply<K extends OpName>(op: K, inputs: readonly Tensor[], attrs: OpAttrs[K]): Tensor {
    const def = OPS[op];
    const [min, max] = typeof def.arity === 'number' ? [def.arity, def.arity] : def.arity;
    if (inputs.length < min || inputs.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw new ShapeError(`${op}: takes ${want} inputs, got ${inputs.length}`);
    }
    for (const t of inputs) {
      if (t.builder !== this) throw new UserError(`${op}: an input belongs to another graph`);
    }
    const info = def.infer(inputs, attrs);
    const node: Node<K> = {
      id: this.nodes.length,
      op,
      inputs: inputs.map((t) => t.id),
      attrs,
      shape: info.shape,
      dtype: info.dtype,
    };
    this.nodes.push(node as Node);
    return new Tensor(this, node.id, info.shape, info.dtype);
  }

  /**
   * Traces `fn` as one checkpointed segment (PyTorch's `torch.utils.checkpoint`): the backward
   * pass recomputes the nodes it adds. A segment traced inside another is part of the outer one.
   */
  checkpoint<T>(fn: () => T): T {
    if (this.inRecompute) throw new Error('a checkpointed segment inside a recomputed one');
    if (this.inCheckpoint) return fn();
    const start = this.nodes.length;
    this.inCheckpoint = true;
    try {
      const out = fn();
      this.checkpoints.push({ start, end: this.nodes.length });
      return out;
    } finally {
      this.inCheckpoint = false;
    }
  }

  /**
   * Traces `fn`, cheap elementwise work on large tensors, as a selectively recomputed segment
   * (Megatron-LM's selective activation recomputation): the backward pass reads none of its values
   * from the forward, outputs included, but a copy it traces from the segment's inputs where it
   * first needs one, so those values die with the forward's last use. Inside a checkpointed
   * segment, whose every value is recomputed anyway, it is part of that segment.
   */
  recompute<T>(fn: () => T): T {
    if (this.inCheckpoint || this.inRecompute) return fn();
    const start = this.nodes.length;
    this.inRecompute = true;
    try {
      const out = fn();
      this.recomputed.push({ start, end: this.nodes.length });
      return out;
    } finally {
      this.inRecompute = false;
    }
  }

  /** Traces `fn` as one layer (see `layers`); a layer traced inside another is part of it. */
  layer<T>(fn: () => T): T {
    if (this.inLayer) return fn();
    const start = this.nodes.length;
    this.inLayer = true;
    try {
      const out = fn();
      this.layers.push({ start, end: this.nodes.length });
      return out;
    } finally {
      this.inLayer = false;
    }
  }

  /** The inputs declared so far, in declaration order. */
  graphInputs(): GraphInput[] {
    return [...this.inputs.values()];
  }

  /** A handle to an already recorded node. */
  tensorOf(id: number): Tensor {
    const node = this.nodes[id];
    return new Tensor(this, id, node.shape, node.dtype);
  }

  /** A named graph input: data fed per run, a trainable parameter, a frozen weight or optimizer state. */
  input(name: string, shape: Shape, dtype: DType = 'f32', role: InputRole = 'data'): Tensor {
    if (this.inputs.has(name)) throw new UserError(`graph input '${name}' is declared twice`);
    const t = this.apply('input', [], { name, role, shape: [...shape], dtype });
    this.inputs.set(name, { name, node: t.id, role, shape: t.shape, dtype });
    return t;
  }

  /** A constant: one value broadcast to `shape`, or `shape`'s values in row-major order. */
  constant(value: number | readonly number[], shape: Shape = [], dtype: DType = 'f32'): Tensor {
    return this.apply('constant', [], { shape: [...shape], dtype, value });
  }

  /** A scalar constant, shared by every use of the same value and dtype. */
  scalar(value: number, dtype: DType = 'f32'): Tensor {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
    let t = this.scalars.get(key);
    if (!t) {
      t = this.constant(value, [], dtype);
      this.scalars.set(key, t);
    }
    return t;
  }

  arange(n: number, dtype: DType = 'i32'): Tensor {
    return this.apply('arange', [], { n, dtype });
  }

  /**
   * The finished graph: only nodes that reach an output or update (inputs are always kept, so the
   * feed signature does not depend on what the model used), renumbered in topological order.
   */
  build(outputs: Record<string, Tensor>, updates: Record<string, Tensor> = {}): Graph {
    for (const [name, t] of Object.entries(updates)) {
      const input = this.inputs.get(name);
      if (!input) throw new UserError(`update of '${name}': no graph input has that name`);
      if (!sameShape(input.shape, t.shape) || input.dtype !== t.dtype) {
        throw new ShapeError(
          `update of '${name}': new value ${t.dtype}${formatShape(t.shape)} differs from the input ${input.dtype}${formatShape(input.shape)}`,
        );
      }
    }
    const live = new Uint8Array(this.nodes.length);
    const stack = [...Object.values(outputs), ...Object.values(updates)].map((t) => t.id);
    for (const input of this.inputs.values()) stack.push(input.node);
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (live[id]) continue;
      live[id] = 1;
      stack.push(...this.nodes[id].inputs);
    }
    const newId = new Int32Array(this.nodes.length).fill(-1);
    const nodes: Node[] = [];
    for (const node of this.nodes) {
      if (!live[node.id]) continue;
      newId[node.id] = nodes.length;
      nodes.push({ ...node, id: nodes.length, inputs: node.inputs.map((i) => newId[i]) });
    }
    const graphInputs: GraphInput[] = [...this.inputs.values()].map((i) => ({
      ...i,
      node: newId[i.node],
    }));
    const graphOutputs: GraphOutput[] = Object.entries(outputs).map(([name, t]) => ({
      name,
      node: newId[t.id],
    }));
    const graphUpdates: GraphUpdate[] = Object.entries(updates).map(([input, t]) => ({
      input,
      node: newId[t.id],
    }));
    return { nodes, inputs: graphInputs, outputs: graphOutputs, updates: graphUpdates };
  }
}
