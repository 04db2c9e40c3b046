import { GraphBuilder } from '../builder.js';
import type { Graph, GraphInput, Node } from '../node.js';
import type { OpDef } from '../op-def.js';
import type { OpName } from '../op-name.js';
import { OPS } from '../ops/index.js';
import type { Tensor } from '../tensor.js';

/**
 * Rewrites every op that has a decomposition and that `keep` rejects, so a backend lowers only the
 * ops it has kernels for. A decomposition may use other fused ops (attention's uses softmax); the
 * rewrite repeats until every op left is kept or has no decomposition. `keep` sees the node too, so a
 * backend may keep an op for some attributes only (webgpu's cross_entropy kernel takes reduction
 * 'none'; the decomposition of 'mean' and 'sum' reduces that op's rows). Names of inputs, outputs
 * and updates are kept.
 */
export function decompose(graph: Graph, keep: (op: OpName, node: Node) => boolean): Graph {
  const expands = (node: Node) => OPS[node.op].decompose !== undefined && !keep(node.op, node);
  let g = graph;
  while (g.nodes.some(expands)) g = decomposeOnce(g, expands);
  return g;
}

function decomposeOnce(graph: Graph, expands: (node: Node) => boolean): Graph {
  const b = new GraphBuilder();
  const inputOf = new Map<number, GraphInput>(graph.inputs.map((i) => [i.node, i]));
  const values: Tensor[] = [];
  for (const node of graph.nodes) {
    const input = inputOf.get(node.id);
    if (input) {
      values[node.id] = b.input(input.name, input.shape, input.dtype, input.role);
      continue;
    }
    const def = OPS[node.op] as OpDef<OpName>;
    const args = node.inputs.map((i) => values[i]);
    values[node.id] =
      def.decompose && expands(node)
        ? def.decompose(args, node.attrs as never)
        : b.apply(node.op, args, node.attrs as never);
  }
  const byName = (entries: readonly { name: string; node: number }[]) =>
    Object.fromEntries(entries.map((e) => [e.name, values[e.node]]));
  return b.build(
    byName(graph.outputs),
    byName(graph.updates.map((u) => ({ name: u.input, node: u.node }))),
  );
}
