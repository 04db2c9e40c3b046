import { decompose, type Graph, type Node, type OpName, UserError } from '@tunekit/core';
import { deviceBytes } from '../host-data.js';
import type { HalfRead } from '../kernels/half.js';
import type { Kernel, KernelFeatures } from '../kernels/kernel.js';
import { ALIAS, FED, hasKernel, KERNELS } from '../kernels/kernel-table.js';
import { type MatmulOperand, matmulKernel } from '../kernels/matmul.js';
import { planBuffers } from './buffer-plan.js';
import { checkLimits, type KernelLimits } from './check-limits.js';
import { halfInputs } from './half-inputs.js';
import { liveNodes } from './live-nodes.js';
import { type FoldedOperand, foldMatmulOperands } from './matmul-operands.js';

export interface CompileOptions {
  /**
   * Store frozen float weights that only matmuls read as f16 halves, read this way (half.ts);
   * default: every input in f32 words.
   */
  readonly halfWeights?: HalfRead;
  /** Row reductions through subgroup operations (the device has `subgroups`); default false. */
  readonly subgroups?: boolean;
}

/** Where a node's value lives: the buffer fed to an input, or a planned buffer. */
export type Slot = { readonly fed: string } | { readonly buffer: number };

export interface CompiledGraph {
  /** The graph after decomposition: what the kernels compute. */
  readonly graph: Graph;
  /** Dispatches in order, each with the node whose value it writes. */
  readonly steps: readonly { readonly node: number; readonly kernel: Kernel }[];
  /** Per node id, its slot (undefined for nodes nothing needs). */
  readonly slots: readonly (Slot | undefined)[];
  /** Byte size of each planned buffer. */
  readonly buffers: readonly number[];
  /** Inputs stored as f16 halves (CompileOptions.halfWeights): fed tensors are packed to match. */
  readonly halfInputs: ReadonlySet<string>;
}

/**
 * Lowers a graph to WGSL dispatches and plans its buffers: fused ops without a kernel are
 * decomposed, matmuls read past transposes (matmul-operands.ts), nodes nothing reads are dropped,
 * reshapes alias their input, and every other value gets a buffer by liveness (buffer-plan.ts).
 * Kernels are checked against the adapter's limits and use the optional features it has.
 */
export function compileGraph(
  source: Graph,
  limits: KernelLimits,
  opts: CompileOptions = {},
): CompiledGraph {
  const graph = decompose(source, hasKernel);
  const features: KernelFeatures = { subgroups: opts.subgroups ?? false };
  const folded = foldMatmulOperands(graph);
  const inputsOf = (node: Node) => folded.get(node.id)?.map((o) => o.node) ?? node.inputs;
  const live = liveNodes(graph, inputsOf);
  const half = opts.halfWeights ? halfInputs(graph, live, inputsOf) : new Set<string>();
  const halfNodes = new Set(graph.inputs.filter((i) => half.has(i.name)).map((i) => i.node));
  const matmulReads = (node: Node): [MatmulOperand, MatmulOperand] => {
    const plain = node.inputs.map((id) => ({ node: id, transposed: false }));
    const [a, b] = folded.get(node.id) ?? plain;
    const read = (o: FoldedOperand): MatmulOperand => ({
      node: graph.nodes[o.node],
      transposed: o.transposed,
      half: halfNodes.has(o.node) ? opts.halfWeights : undefined,
    });
    return [read(a), read(b)];
  };
  const n = graph.nodes.length;
  const root = Int32Array.from({ length: n }, (_, i) => i);
  const lastUse = new Float64Array(n).fill(-1);
  const steps: { node: number; kernel: Kernel }[] = [];
  for (const node of graph.nodes) {
    if (!live[node.id]) continue;
    for (const i of inputsOf(node)) lastUse[root[i]] = Math.max(lastUse[root[i]], node.id);
    const entry = KERNELS[node.op as OpName];
    if (entry === undefined)
      throw new UserError(`webgpu backend: op '${node.op}' (node %${node.id}) has no WGSL kernel`);
    if (entry === ALIAS) root[node.id] = root[node.inputs[0]];
    if (entry === FED || entry === ALIAS) continue;
    const inputs = node.inputs.map((i) => graph.nodes[i]);
    const lower = entry as (node: unknown, inputs: unknown, features: KernelFeatures) => Kernel[];
    // matmul: the table's lowering reads its inputs as they are; here it reads past transposes
    // and f16-stored weights
    const kernels =
      node.op === 'matmul'
        ? [matmulKernel(node, ...matmulReads(node))]
        : lower(node, inputs, features);
    for (const kernel of kernels) {
      checkLimits(kernel, node, limits);
      steps.push({ node: node.id, kernel });
    }
  }
  for (const o of [...graph.outputs, ...graph.updates]) lastUse[root[o.node]] = Infinity;
  const computed = [...new Set(steps.map((s) => s.node))];
  const plan = planBuffers(
    computed.map((id) => {
      const bytes = deviceBytes(graph.nodes[id].shape);
      if (bytes > limits.maxStorageBufferBindingSize) {
        throw new UserError(
          `webgpu backend: node %${id} (${graph.nodes[id].op}) needs a ${bytes}-byte buffer; the adapter binds at most ${limits.maxStorageBufferBindingSize} (maxStorageBufferBindingSize)`,
        );
      }
      return { bytes, def: id, lastUse: Math.max(lastUse[id], id) };
    }),
  );
  const bufferOf = new Map(computed.map((id, k) => [id, plan.assignment[k]]));
  const inputNames = new Map(graph.inputs.map((i) => [i.node, i.name]));
  const slots = graph.nodes.map((node): Slot | undefined => {
    if (!live[node.id]) return undefined;
    const r = root[node.id];
    const fed = inputNames.get(r);
    if (fed !== undefined) return { fed };
    const buffer = bufferOf.get(r);
    if (buffer === undefined)
      throw new Error(`webgpu backend: node %${r} has no kernel and no buffer`);
    return { buffer };
  });
  return { graph, steps, slots, buffers: plan.buffers, halfInputs: half };
}
