import { UserError } from '../errors/index.js';
import { type CheckpointSegment, segmentAt } from '../graph/builder.js';
import { isFloat } from '../graph/dtype.js';
import { ops } from '../graph/functional.js';
import type { OpDef } from '../graph/op-def.js';
import type { OpName } from '../graph/op-name.js';
import { OPS } from '../graph/ops/index.js';
import { formatShape, sameShape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { Recomputation } from './recomputation.js';

/**
 * Reverse-mode gradients of `loss` with respect to `wrt`, appended to the same graph. Only nodes
 * on a path from some `wrt` to `loss` are visited, so frozen weights cost no backward work. An
 * entry is null when `loss` does not depend on that tensor.
 */
export function grad(loss: Tensor, wrt: readonly Tensor[]): (Tensor | null)[] {
  const seed = loss.builder.scalar(1, loss.dtype).broadcastTo(loss.shape);
  return backprop(loss, seed, wrt);
}

/**
 * Cotangents of `wrt` given the cotangent `dy` of `y` (a vector-Jacobian product). Nodes in a
 * checkpointed segment (`GraphBuilder.checkpoint`) are differentiated at a recomputed copy, and
 * values of a recomputed segment (`GraphBuilder.recompute`) are read from one.
 */
export function backprop(y: Tensor, dy: Tensor, wrt: readonly Tensor[]): (Tensor | null)[] {
  return walk(y, dy, wrt, new Recomputation(y.builder));
}

function walk(
  y: Tensor,
  dy: Tensor,
  wrt: readonly Tensor[],
  recompute: Recomputation | null,
  floor = 0,
): (Tensor | null)[] {
  const b = y.builder;
  const onPath = nodesOnPath(y, wrt);
  const cot = new Map<number, Tensor>([[y.id, dy]]);
  const wrtIds = new Set(wrt.map((w) => w.id));
  // the layer being walked, and the nodes before it that it sent cotangents to
  let current: { segment: CheckpointSegment; sent: Set<number> } | undefined;
  for (let id = y.id; id >= floor; id--) {
    if (current && id < current.segment.start) {
      leaveLayer(cot, current, wrtIds);
      current = undefined;
    }
    const g = cot.get(id);
    const node = b.nodes[id];
    if (!g || !onPath[id] || node.inputs.length === 0) continue;
    const segment = recompute?.segmentOf(id);
    if (segment) recompute?.enter(segment, g);
    const layer = recompute && segmentAt(b.layers, id);
    if (layer && current?.segment !== layer) current = { segment: layer, sent: new Set() };
    const read = (i: number) => (recompute ? recompute.value(i, g) : b.tensorOf(i));
    const inputs = node.inputs.map(read);
    const cts = vjpOf(node.op, inputs, read(id), g, node.attrs);
    node.inputs.forEach((input, k) => {
      const ct = cts[k];
      if (!ct || !onPath[input]) return;
      if (!sameShape(ct.shape, inputs[k].shape)) {
        throw new Error(
          `vjp of ${node.op}: cotangent ${formatShape(ct.shape)} for input ${k} of shape ${formatShape(inputs[k].shape)}`,
        );
      }
      const prev = cot.get(input);
      cot.set(input, prev ? prev.add(ct) : ct);
      if (current && input < current.segment.start) current.sent.add(input);
    });
  }
  if (current) leaveLayer(cot, current, wrtIds);
  return wrt.map((w) => cot.get(w.id) ?? null);
}

/**
 * Orders the rest of the backward pass after the gradients a layer (`GraphBuilder.layer`, a
 * decoder layer) gave its parameters: the cotangents it sends on pass an optimization barrier on
 * them. onnxruntime's schedule is a depth-first walk from the outputs, which runs the chain of
 * activation cotangents down to the first layer before any weight gradient beside it, so every
 * layer's recomputed activations and cotangents would otherwise stay alive to the end of the
 * backward (bench/README.md, "Gradient checkpointing").
 */
function leaveLayer(
  cot: Map<number, Tensor>,
  { segment, sent }: { segment: CheckpointSegment; sent: Set<number> },
  wrtIds: Set<number>,
): void {
  // a parameter is an input node traced where first read: inside the layer, or before it
  const params = [...wrtIds].filter(
    (id) => sent.has(id) || (id >= segment.start && id < segment.end),
  );
  const grads = params.flatMap((id) => cot.get(id) ?? []);
  if (grads.length === 0) return;
  const after = grads.map(firstElement).reduce((a, e) => a.add(e));
  for (const id of sent) {
    if (!wrtIds.has(id)) cot.set(id, ops.optimizationBarrier(cot.get(id) as Tensor, after));
  }
}

/** One element of `t` as an f32 scalar, which exists only once all of `t` does. */
function firstElement(t: Tensor): Tensor {
  const first =
    t.rank === 0
      ? t
      : t
          .slice(
            t.shape.map(() => 0),
            t.shape.map(() => 1),
          )
          .reshape([]);
  return first.dtype === 'f32' ? first : first.cast('f32');
}

function vjpOf(
  op: OpName,
  inputs: readonly Tensor[],
  out: Tensor,
  dy: Tensor,
  attrs: unknown,
): readonly (Tensor | null)[] {
  const def = OPS[op] as OpDef<OpName>;
  if (def.vjp) return def.vjp({ inputs, out, dy, attrs: attrs as never });
  if (def.decompose) {
    // no hand-written rule: differentiate the op's decomposition into primitives. Only its new
    // nodes are walked (so no checkpointed segment is met): an input that depends on another
    // input (attention's backward reads the forward's output) passes its cotangent on in the
    // outer walk, not here as well.
    const floor = dy.builder.nodes.length;
    const y = def.decompose(inputs, attrs as never);
    return walk(y, dy, inputs, null, floor);
  }
  return inputs.map(() => null);
}

/** Marks float nodes that depend on some `wrt` and that `y` depends on. */
function nodesOnPath(y: Tensor, wrt: readonly Tensor[]): Uint8Array {
  const nodes = y.builder.nodes;
  const fromWrt = new Uint8Array(y.id + 1);
  for (const w of wrt) {
    if (w.builder !== y.builder)
      throw new UserError('grad: a tensor in `wrt` belongs to another graph');
    if (w.id <= y.id) fromWrt[w.id] = 1;
  }
  for (let id = 0; id <= y.id; id++) {
    if (!fromWrt[id] && nodes[id].inputs.some((i) => fromWrt[i])) fromWrt[id] = 1;
  }
  const toY = new Uint8Array(y.id + 1);
  toY[y.id] = 1;
  for (let id = y.id; id >= 0; id--) {
    if (toY[id]) for (const i of nodes[id].inputs) toY[i] = 1;
  }
  const onPath = new Uint8Array(y.id + 1);
  for (let id = 0; id <= y.id; id++)
    onPath[id] = fromWrt[id] & toY[id] & (isFloat(nodes[id].dtype) ? 1 : 0);
  return onPath;
}
