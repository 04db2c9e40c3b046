import type { DType, Shape } from '@tunekit/core';
import type { onnx } from 'onnx-proto';
import { ONNX_DTYPE } from './onnx-dtype.js';
import { OnnxProto } from './onnx-proto.js';

export type AttrValue =
  | number
  | string
  | readonly number[]
  | { readonly float: number }
  | { readonly graph: onnx.IGraphProto };

/**
 * Accumulates ONNX nodes and initializers for one graph. Values are named `v<n>`; small constant
 * tensors (shapes, axes, scalars) are deduplicated initializers.
 */
export class OnnxGraph {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[];
  private readonly constants: Map<string, string>;
  private readonly ids: { next: number };
  private readonly root: OnnxGraph;
  private readonly built: Map<string, unknown>;
  /**
   * What the nodes appended now lower (`matmul#412`: IR op and node id); each node's name starts
   * with it, so that onnxruntime's profile and errors point back to the IR.
   */
  label = '';

  /** `shareConstants` false: every constant gets its own initializer. */
  constructor(
    private readonly shareConstants = true,
    parent?: OnnxGraph,
  ) {
    this.initializers = parent?.initializers ?? [];
    this.constants = parent?.constants ?? new Map();
    this.ids = parent?.ids ?? { next: 0 };
    this.root = parent?.root ?? this;
    this.built = parent?.built ?? new Map();
  }

  /**
   * A graph for a subgraph attribute (a Loop body): its nodes are its own, while names stay unique
   * across the model and constants stay initializers of the main graph, which a body reads from
   * the outer scope.
   */
  subgraph(): OnnxGraph {
    const sub = new OnnxGraph(this.shareConstants, this);
    sub.label = this.label;
    return sub;
  }

  fresh(hint = 'v'): string {
    return `${hint}${this.ids.next++}`;
  }

  /** Appends one node and returns the name of its (single) output. */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    domain = '',
  ): string {
    return this.nodeWithOutputs(opType, inputs, 1, attrs, domain)[0];
  }

  /** Appends one node with `count` outputs (a Loop's) and returns their names. */
  nodeWithOutputs(
    opType: string,
    inputs: readonly string[],
    count: number,
    attrs: Readonly<Record<string, AttrValue>> = {},
    domain = '',
  ): string[] {
    const output = Array.from({ length: count }, () => this.fresh());
    this.nodes.push({
      name: `${this.label}:${output[0]}`,
      opType,
      domain,
      input: [...inputs],
      output,
      attribute: Object.entries(attrs).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  /** A constant tensor (row-major values), shared by every identical use. */
  constant(dtype: DType | 'u32', shape: Shape, values: ArrayLike<number>): string {
    const key = `${dtype}|${shape.join(',')}|${Array.from(values).join(',')}`;
    let name = this.shareConstants ? this.constants.get(key) : undefined;
    if (!name) {
      name = this.fresh('c');
      this.initializers.push(tensorProto(name, dtype, shape, values));
      this.constants.set(key, name);
    }
    return name;
  }

  /**
   * What `build` appends to the main graph (value names), built once per `key` however many
   * nodes or Loop bodies ask for it: what every layer shares, such as attention's mask.
   */
  once<T>(key: string, build: (main: OnnxGraph) => T): T {
    if (!this.built.has(key)) this.built.set(key, build(this.root));
    return this.built.get(key) as T;
  }

  int64s(values: readonly number[]): string {
    return this.constant('i64', [values.length], values);
  }
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = OnnxProto.AttributeProto.AttributeType;
  if (typeof value === 'string')
    return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('graph' in value) return { name, type: T.GRAPH, g: value.graph };
  return { name, type: T.INTS, ints: [...value] };
}

/** A TensorProto with raw little-endian data. */
export function tensorProto(
  name: string,
  dtype: DType | 'u32',
  shape: Shape,
  values: ArrayLike<number> | ArrayBufferView,
): onnx.ITensorProto {
  return {
    name,
    dims: [...shape],
    dataType: dtype === 'u32' ? 12 : ONNX_DTYPE[dtype],
    rawData: rawBytes(dtype, values),
  };
}

function rawBytes(dtype: DType | 'u32', values: ArrayLike<number> | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(values))
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const n = values.length;
  switch (dtype) {
    case 'f32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'i32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'u32':
      return new Uint8Array(Uint32Array.from(values).buffer);
    case 'i64':
      return new Uint8Array(BigInt64Array.from({ length: n }, (_, i) => BigInt(values[i])).buffer);
    case 'u8':
    case 'bool':
      return Uint8Array.from(values);
    default:
      // f16/bf16 values arrive as their raw 16-bit storage
      return new Uint8Array(Uint16Array.from(values).buffer);
  }
}

/** The ValueInfo of a tensor with a fixed shape. */
export function valueInfo(
  name: string,
  dtype: keyof typeof ONNX_DTYPE,
  shape: readonly number[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[dtype],
        shape: { dim: shape.map((d) => ({ dimValue: d })) },
      },
    },
  };
}
