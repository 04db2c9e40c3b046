import { GraphBuilder, segmentAt } from '../builder.js';
import { ops } from '../functional.js';
import type { Node } from '../node.js';
import type { Tensor } from '../tensor.js';

/** The widest right operand fused: LoRA's A^T at rank <= 64. */
export const NARROW_MATMUL_WIDTH = 64;

/** Ops a weight passes through and stays a weight (LoRA's A^T is transpose(input)). */
const WEIGHT_OPS = new Set(['transpose', 'cast', 'reshape']);

/**
 * Horizontal fusion of narrow matmuls. Products x @ w_i that share their left operand x, where every
 * w_i is a narrow weight ([K, n_i], n_i <= NARROW_MATMUL_WIDTH, computed from graph inputs by
 * transposes, casts and reshapes alone) and either all trainable or all frozen, become one
 * x @ concat(w_i) and a slice of its columns per product: LoRA's A products of q, k and v (and of
 * gate and up) read the same normed hidden state; so do the frozen q, k and v of a toy model.
 * Run before autodiff, the fusion carries into the backward: the x-gradient becomes one matmul of
 * inner size sum(n_i) instead of one per product plus their sum (half the time in onnxruntime for
 * three rank-8 products), and the w-gradients one matmul whose rows the concat's gradient splits
 * (bench/README.md, "LoRA's small matmuls"). Concatenating the weights
 * each step copies K * sum(n_i) elements, 1 / (2 M) of the products' work for M rows of x; a wide
 * weight (a frozen base projection) is never copied. Dropout gives each adapter its own x, so
 * nothing is fused then.
 *
 * Returns `roots` traced again into a new builder with the fused products (checkpoint segments,
 * recomputed segments and layers carried over), or `roots` themselves when no two products share a left operand. The
 * products are the same, so values agree up to float rounding in the sums.
 */
export function fuseNarrowMatmuls<T extends Readonly<Record<string, Tensor>>>(roots: T): T {
  const tensors = Object.values(roots);
  if (tensors.length === 0) return roots;
  const b = tensors[0].builder;
  const groups = narrowMatmulGroups(b);
  if (groups.size === 0) return roots;
  const nb = new GraphBuilder();
  const values: Tensor[] = [];
  const emit = (id: number): Tensor => {
    if (values[id]) return values[id];
    const node = b.nodes[id];
    const attrs = node.attrs as Node<'input'>['attrs'];
    values[id] =
      node.op === 'input'
        ? nb.input(attrs.name, attrs.shape, attrs.dtype, attrs.role)
        : nb.apply(node.op, node.inputs.map(emit), node.attrs as never);
    return values[id];
  };
  for (const node of b.nodes) {
    const members = groups.get(node.id);
    if (members) fuse(b.nodes, members, emit, values);
    else emit(node.id);
  }
  const remap = (s: { start: number; end: number }) => {
    const ids = b.nodes.slice(s.start, s.end).map((n) => values[n.id].id);
    return { start: Math.min(...ids), end: Math.max(...ids) + 1 };
  };
  nb.checkpoints.push(...b.checkpoints.map(remap));
  nb.recomputed.push(...b.recomputed.map(remap));
  nb.layers.push(...b.layers.map(remap));
  return Object.fromEntries(Object.entries(roots).map(([k, t]) => [k, values[t.id]])) as T;
}

/** One product: x @ concat(w_i) (concat(a_i)^T when every w_i is a_i^T), sliced per member. */
function fuse(
  nodes: readonly Node[],
  members: readonly number[],
  emit: (id: number) => Tensor,
  values: Tensor[],
): void {
  const weights = members.map((m) => nodes[nodes[m].inputs[1]]);
  const transposed = weights.every(
    (w) => w.op === 'transpose' && (w as Node<'transpose'>).attrs.perm[0] === 1,
  );
  // concat(a_i)^T: the gradient of a_i is then rows of one matmul's output, not a transposed slice
  const parts = weights.map((t) => emit(transposed ? t.inputs[0] : t.id));
  const w = transposed ? ops.concat(parts, 0).transpose() : ops.concat(parts, 1);
  const y = emit(nodes[members[0]].inputs[0]).matmul(w);
  let start = 0;
  members.forEach((m, k) => {
    const end = start + weights[k].shape[1];
    values[m] = y.narrow(-1, start, end);
    start = end;
  });
}

/**
 * Groups of two or more narrow matmuls with the same left operand, keyed by the first one's id.
 * The fused product sits at the first, so the other members' weights are traced earlier than they
 * were: only weights whose nodes lie in the first member's checkpoint segment and layer qualify.
 */
function narrowMatmulGroups(b: GraphBuilder): Map<number, number[]> {
  const nodes = b.nodes;
  const place = (id: number) =>
    `${segmentAt(b.checkpoints, id)?.start}:${segmentAt(b.layers, id)?.start}`;
  const cone = (id: number): number[] | undefined => {
    const node = nodes[id];
    if (node.op === 'input') return [id];
    if (!WEIGHT_OPS.has(node.op)) return undefined;
    const inner = cone(node.inputs[0]);
    return inner && [...inner, id];
  };
  const byLeft = new Map<string, number[]>();
  for (const node of nodes) {
    if (node.op !== 'matmul') continue;
    const [x, w] = node.inputs.map((i) => nodes[i]);
    if (w.shape.length !== 2 || w.shape[1] > NARROW_MATMUL_WIDTH || w.dtype !== x.dtype) continue;
    const weight = cone(w.id);
    if (!weight) continue;
    // a frozen weight beside trainable ones would get a gradient it does not need
    const trainable = weight.some((id) => roleOf(nodes[id]) === 'param');
    const key = `${x.id}:${place(node.id)}:${trainable}`;
    const first = byLeft.get(key)?.[0] ?? node.id;
    if (weight.some((id) => id > first && place(id) !== place(first))) continue;
    byLeft.set(key, [...(byLeft.get(key) ?? []), node.id]);
  }
  return new Map(
    [...byLeft.values()].filter((members) => members.length > 1).map((m) => [m[0], m]),
  );
}

const roleOf = (node: Node) => node.op === 'input' && (node as Node<'input'>).attrs.role;
