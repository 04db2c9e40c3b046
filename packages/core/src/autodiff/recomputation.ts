import { type CheckpointSegment, type GraphBuilder, segmentAt } from '../graph/builder.js';
import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';

/**
 * The backward pass's second copy of checkpointed segments (gradient checkpointing) and of
 * selectively recomputed ones (`GraphBuilder.recompute`). When the backward walk reaches a
 * checkpointed segment, its nodes are traced again from the segment's inputs and the segment's
 * VJPs read these copies, so the forward's values inside a segment die with the forward and at most
 * one segment's activations are alive in the backward. A recomputed segment is copied when the
 * backward first reads one of its values, outputs included (a later matmul's weight gradient
 * reading the segment's output), so none of its forward values outlives the forward.
 *
 * Each copy waits for the cotangent of the segment (`after`): its first nodes read their outside
 * inputs through `optimization_barrier`, which a backend can neither schedule early nor merge
 * with the forward's nodes (onnxruntime's common-subexpression elimination would otherwise fold
 * the whole copy back into the forward). Constants are not copied; nodes computed from constants
 * only keep their forward values.
 */
export class Recomputation {
  private readonly values = new Map<number, Tensor>();
  private readonly entered = new Set<CheckpointSegment>();

  constructor(private readonly b: GraphBuilder) {}

  /** The checkpointed segment holding node `id`, if any. */
  segmentOf(id: number): CheckpointSegment | undefined {
    return segmentAt(this.b.checkpoints, id);
  }

  /**
   * The value the backward pass reads for node `id` once `after` exists: its recomputed copy once
   * there is one, traced now for a node of a recomputed segment.
   */
  value(id: number, after: Tensor): Tensor {
    const recomputed = segmentAt(this.b.recomputed, id);
    if (recomputed) this.enter(recomputed, after);
    return this.values.get(id) ?? this.b.tensorOf(id);
  }

  /** Traces `segment`'s copy (once), ordered after `after`. */
  enter(segment: CheckpointSegment, after: Tensor): void {
    if (this.entered.has(segment)) return;
    this.entered.add(segment);
    const nodes = this.b.nodes;
    const constant = (id: number) => nodes[id].op === 'constant' || nodes[id].op === 'arange';
    const barriers = new Map<number, Tensor>();
    const fromConstants = new Set<number>();
    for (let id = segment.start; id < segment.end; id++) {
      const node = nodes[id];
      if (node.inputs.length === 0) continue; // inputs and constants are not recomputed
      const inSegment = (i: number) => i >= segment.start && this.values.has(i);
      if (node.inputs.every((i) => constant(i) || fromConstants.has(i))) {
        fromConstants.add(id);
        continue;
      }
      const inputs = node.inputs.map((i) => this.value(i, after));
      if (!node.inputs.some(inSegment)) {
        // a first node of the copy: one outside input through the barrier orders it after `after`
        const k = node.inputs.findIndex((i) => !constant(i) && !fromConstants.has(i));
        const outside = node.inputs[k];
        let tied = barriers.get(outside);
        if (!tied) {
          tied = ops.optimizationBarrier(inputs[k], after);
          barriers.set(outside, tied);
        }
        inputs[k] = tied;
      }
      this.values.set(id, this.b.apply(node.op, inputs, node.attrs));
    }
  }
}
