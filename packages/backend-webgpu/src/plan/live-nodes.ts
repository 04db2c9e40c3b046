import type { Graph, Node } from '@tunekit/core';

/**
 * Which nodes an output or update depends on; the rest are never computed. `inputsOf` gives the
 * nodes a node's kernel reads (a matmul may read past a transpose), by default its inputs.
 */
export function liveNodes(
  graph: Graph,
  inputsOf: (node: Node) => readonly number[] = (node) => node.inputs,
): Uint8Array {
  const live = new Uint8Array(graph.nodes.length);
  const stack = [...graph.outputs.map((o) => o.node), ...graph.updates.map((u) => u.node)];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (live[id]) continue;
    live[id] = 1;
    stack.push(...inputsOf(graph.nodes[id]));
  }
  return live;
}
