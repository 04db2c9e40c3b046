import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';

/**
 * The additive attention mask [B, 1, T, T] of packed rows, built in the graph from per-token segment
 * ids (i32 [B, T], the example each token belongs to): 0 where query and key are in one segment,
 * -inf elsewhere; with `causal`, keys after the query are hidden too, which gives the
 * block-diagonal causal mask whole. Without `causal` it is meant for attention's own causal rule.
 * A host-side mask is 4 T^2 bytes per row (1 MiB at T = 512); the ids are 4 T.
 */
export function segmentMask(segments: Tensor, opts: { causal?: boolean } = {}): Tensor {
  const { builder: b } = segments;
  const [batch, seq] = segments.shape;
  const hidden = b.scalar(Number.NEGATIVE_INFINITY);
  const same = segments.reshape([batch, 1, seq, 1]).equal(segments.reshape([batch, 1, 1, seq]));
  const mask = ops.where(same, b.scalar(0), hidden);
  if (!opts.causal) return mask;
  const later = b
    .arange(seq)
    .reshape([1, seq])
    .greater(b.arange(seq).reshape([seq, 1]));
  return mask.add(ops.where(later, hidden, b.scalar(0)).reshape([1, 1, seq, seq]));
}
