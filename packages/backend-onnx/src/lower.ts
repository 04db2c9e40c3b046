import { decompose, type Graph, UserError } from '@tunekit/core';
import type { onnx } from 'onnx-proto';
import { OnnxGraph, valueInfo } from './onnx-graph.js';
import { OnnxProto } from './onnx-proto.js';
import { BLOCKWISE_OPS, LOWERINGS } from './op-table.js';

export const OPSET = 18;

/** The ONNX model of a graph, and the ONNX names of its outputs and in-place updates. */
export interface LoweredGraph {
  readonly bytes: Uint8Array;
  readonly outputNames: ReadonlyMap<string, string>;
  readonly updateNames: ReadonlyMap<string, string>;
}

export interface LowerOptions {
  /**
   * Share one initializer among identical small constants (the default). The ONNX export turns
   * it off: a constant that two sizes share at one trace size may not be shared at another.
   */
  readonly shareConstants?: boolean;
  /**
   * Lower attention as Loops over blocks of rows (the default). The ONNX export turns it off: its
   * graph must be the same at every size, and the block count is not.
   */
  readonly blockwise?: boolean;
}

/**
 * Lowers a whole graph (a forward pass, or forward + backward + optimizer) to one ONNX model.
 * Fused ops without an exact ONNX counterpart are decomposed first; anything else that cannot be
 * lowered fails here, naming the op, before ONNX Runtime sees the model.
 */
export function lowerToOnnx(source: Graph): LoweredGraph {
  const { model, outputNames, updateNames } = lowerToModelProto(source);
  return { bytes: OnnxProto.ModelProto.encode(model).finish(), outputNames, updateNames };
}

/** `lowerToOnnx` before encoding: the ModelProto as an object. */
export function lowerToModelProto(
  source: Graph,
  opts: LowerOptions = {},
): Omit<LoweredGraph, 'bytes'> & { readonly model: onnx.IModelProto } {
  const graph = decomposeForOnnx(source, opts.blockwise ?? true);
  const g = new OnnxGraph(opts.shareConstants ?? true);
  const values: string[] = [];
  for (const node of weightsFirst(graph)) {
    const lower = LOWERINGS[node.op] as ((...args: unknown[]) => string) | undefined;
    if (!lower)
      throw new UserError(`onnx backend: op '${node.op}' (node %${node.id}) has no ONNX lowering`);
    checkDtypes(node, graph);
    g.label = `${node.op}#${node.id}`;
    values[node.id] = lower(
      g,
      node.inputs.map((i) => values[i]),
      node,
      node.inputs.map((i) => graph.nodes[i]),
    );
  }
  const outputNames = new Map<string, string>();
  const updateNames = new Map<string, string>();
  const outputs: onnx.IValueInfoProto[] = [];
  const expose = (onnxName: string, nodeId: number) => {
    g.nodes.push({ opType: 'Identity', input: [values[nodeId]], output: [onnxName] });
    const n = graph.nodes[nodeId];
    outputs.push(valueInfo(onnxName, n.dtype, n.shape));
  };
  for (const o of graph.outputs) {
    outputNames.set(o.name, `out:${o.name}`);
    expose(`out:${o.name}`, o.node);
  }
  for (const u of graph.updates) {
    updateNames.set(u.input, `new:${u.input}`);
    expose(`new:${u.input}`, u.node);
  }
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'tunekit',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'tunekit',
      node: g.nodes,
      initializer: g.initializers,
      input: graph.inputs.map((i) => valueInfo(i.name, i.dtype, i.shape)),
      output: outputs,
    },
  };
  return { model, outputNames, updateNames };
}

/**
 * The graph that is lowered node by node: `source` with every fused op that has no ONNX lowering
 * decomposed. The ONNX nodes are named `<op>#<id>:<value>` after its nodes, so that onnxruntime's
 * profile can be read against it (bench's profile of a step).
 */
export function decomposeForOnnx(source: Graph, blockwise = true): Graph {
  return decompose(
    source,
    (op) => LOWERINGS[op] !== undefined && (blockwise || !BLOCKWISE_OPS.has(op)),
  );
}

/**
 * The nodes in a topological order that puts first those reading no fed tensor (only frozen
 * weights and constants: a dequantized weight, a transposed one). onnxruntime's default schedule
 * is a reverse depth-first walk from the outputs that enters a node's highest-numbered input
 * first, so a low-numbered weight computation runs right before the op that reads it: one 4-bit
 * weight is dequantized at a time, right before its matmul. In trace order it would run before the
 * previous layer's matmul, and so every weight would be dequantized before the first matmul.
 */
function weightsFirst(graph: Graph): Graph['nodes'] {
  const fed = new Set(graph.inputs.filter((i) => i.role !== 'frozen').map((i) => i.node));
  const varies = new Uint8Array(graph.nodes.length);
  for (const node of graph.nodes) {
    varies[node.id] = fed.has(node.id) || node.inputs.some((i) => varies[i]) ? 1 : 0;
  }
  return [...graph.nodes.filter((n) => !varies[n.id]), ...graph.nodes.filter((n) => varies[n.id])];
}

/**
 * onnxruntime's CPU kernels compute in f32 (and integers); f16 is a storage type here: it may be a
 * graph input or output and be cast, nothing else. onnxruntime-node cannot hold bf16 tensors at all
 * (load bf16 checkpoints as f32, the loader's default). Said at compile time, naming the op.
 */
function checkDtypes(node: Graph['nodes'][number], graph: Graph): void {
  if (node.op === 'input') return; // what reads it is checked
  const involved = [node, ...node.inputs.map((i) => graph.nodes[i])];
  const bf16 = involved.find((n) => n.dtype === 'bf16');
  if (bf16) {
    throw new UserError(
      `onnx backend: op '${node.op}' (node %${node.id}) uses bf16, which onnxruntime-node cannot hold; load weights as f32`,
    );
  }
  if (node.op === 'cast' || node.op === 'constant') return;
  if (involved.some((n) => n.dtype === 'f16')) {
    throw new UserError(
      `onnx backend: op '${node.op}' (node %${node.id}) on f16 has no onnxruntime CPU kernel; cast to f32 first (x.cast('f32'))`,
    );
  }
}
