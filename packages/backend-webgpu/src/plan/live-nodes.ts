import type { Graph } from '@tunekit/core';

/** Which nodes an output or update depends on; the rest are never computed. */
export function liveNodes(graph: Graph): Uint8Array {
  const live = new Uint8Array(graph.nodes.length);
  const stack = [...graph.outputs.map((o) => o.node), ...graph.updates.map((u) => u.node)];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (live[id]) continue;
    live[id] = 1;
    stack.push(...graph.nodes[id].inputs);
  }
  return live;
}
