import type { Graph, Node } from '@tunekit/core';

/**
 * The frozen f32 and f16 inputs that may be stored as f16 halves: every kernel that reads them is a
 * matmul (through matmul-operands.ts, a linear layer's weight is read by its forward and its input
 * gradient's matmuls only), and they are neither fetched nor updated. Norm weights and embedding
 * tables, read by other kernels, stay f32.
 */
export function halfInputs(
  graph: Graph,
  live: Uint8Array,
  inputsOf: (node: Node) => readonly number[],
): Set<string> {
  const readers = new Map<number, Node[]>();
  for (const node of graph.nodes) {
    if (!live[node.id]) continue;
    for (const i of inputsOf(node)) {
      const list = readers.get(i) ?? [];
      list.push(node);
      readers.set(i, list);
    }
  }
  const kept = new Set([...graph.outputs, ...graph.updates].map((o) => o.node));
  const half = new Set<string>();
  for (const input of graph.inputs) {
    const nodes = readers.get(input.node) ?? [];
    if (
      input.role === 'frozen' &&
      (input.dtype === 'f32' || input.dtype === 'f16') &&
      !kept.has(input.node) &&
      nodes.length > 0 &&
      nodes.every((n) => n.op === 'matmul')
    )
      half.add(input.name);
  }
  return half;
}
