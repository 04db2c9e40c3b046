import type { Graph, Node } from '@tunekit/core';

/** A matmul operand as the kernel reads it: a node, maybe with its last two axes swapped. */
export interface FoldedOperand {
  readonly node: number;
  readonly transposed: boolean;
}

/**
 * Where each matmul reads its operands. A chain of transposes before an operand is followed back
 * (perms composed) to the deepest node that it presents either unchanged or with only its last
 * two axes swapped: the matmul reads that node directly, transposed or not, and the transposes
 * are computed only if something else reads them. A linear layer's `x @ W^T` then reads W as it
 * is stored, and its gradient `dy @ (W^T)^T` reads W too. Matmuls with nothing to fold are absent.
 */
export function foldMatmulOperands(graph: Graph): Map<number, [FoldedOperand, FoldedOperand]> {
  const folded = new Map<number, [FoldedOperand, FoldedOperand]>();
  for (const node of graph.nodes) {
    if (node.op !== 'matmul') continue;
    const [a, b] = node.inputs.map((id) => fold(graph.nodes, id));
    if (a.node !== node.inputs[0] || b.node !== node.inputs[1]) folded.set(node.id, [a, b]);
  }
  return folded;
}

function fold(nodes: readonly Node[], id: number): FoldedOperand {
  let best: FoldedOperand = { node: id, transposed: false };
  const rank = nodes[id].shape.length;
  // perm[d]: the axis of the current node that axis d of the operand is
  let perm = [...Array(rank).keys()];
  for (let x = nodes[id]; x.op === 'transpose'; ) {
    const own = (x as Node<'transpose'>).attrs.perm.map((p) => (p + rank) % rank);
    perm = perm.map((d) => own[d]);
    x = nodes[x.inputs[0]];
    const batchKept = perm.slice(0, -2).every((p, d) => p === d);
    const [r, c] = perm.slice(-2);
    if (batchKept && r === rank - 2 && c === rank - 1) best = { node: x.id, transposed: false };
    if (batchKept && r === rank - 1 && c === rank - 2) best = { node: x.id, transposed: true };
  }
  return best;
}
