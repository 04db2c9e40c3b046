import { ShapeError } from '../../../errors/index.js';
import type { GraphBuilder } from '../../builder.js';
import { ops } from '../../functional.js';
import type { RefTensor, TypeInfo } from '../../op-def.js';
import { formatShape, sameShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { broadcastIndex, describe, requireFloat } from '../helpers.js';
import { broadcastsTo } from './helpers.js';

// What the attention ops share: argument checks, the dense scores their decompositions build, and
// the mask as the reference kernels read it. A mask broadcasts to the scores [B, Hq, Tq, Tk]; it is
// additive (float: 0 keeps a key, -inf hides it) or boolean (true keeps a key, as PyTorch SDPA's
// boolean attn_mask).

/** Checks q [B, Hq, Tq, D], k = v [B, Hkv, Tk, D] and the mask; returns the scores' shape. */
export function checkAttention(
  op: string,
  [q, k, v, mask]: readonly (TypeInfo | undefined)[],
  causal: boolean,
  scale: number,
): [number, number, number, number] {
  if (!q || !k || !v) throw new ShapeError(`${op}: needs q, k and v`);
  const all = `q ${describe(q)}, k ${describe(k)}, v ${describe(v)}`;
  requireFloat(op, q);
  if (k.dtype !== q.dtype || v.dtype !== q.dtype)
    throw new ShapeError(`${op}: dtypes differ (${all}); cast one with .cast()`);
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4)
    throw new ShapeError(`${op}: q, k and v must be [B, H, T, D], got ${all}`);
  if (!sameShape(k.shape, v.shape))
    throw new ShapeError(`${op}: k and v must have the same shape, got ${all}`);
  const [b, hq, tq, d] = q.shape;
  const [bk, hkv, tk, dk] = k.shape;
  if (b !== bk) throw new ShapeError(`${op}: batch sizes (axis 0) differ: ${all}`);
  if (d !== dk) throw new ShapeError(`${op}: head dims (axis -1) differ: ${all}`);
  if (hq % hkv !== 0)
    throw new ShapeError(
      `${op}: query heads (axis 1) must be a multiple of key/value heads: ${all}`,
    );
  if (causal && tk < tq)
    throw new ShapeError(
      `${op}: causal attention needs at least as many keys as queries (axis 2): ${all}`,
    );
  const scores: [number, number, number, number] = [b, hq, tq, tk];
  if (mask && !broadcastsTo(mask.shape, scores)) {
    throw new ShapeError(
      `${op}: mask ${describe(mask)} does not broadcast to the scores [B, Hq, Tq, Tk] = ${formatShape(scores)} (${all})`,
    );
  }
  if (mask && mask.dtype !== q.dtype && mask.dtype !== 'bool')
    throw new ShapeError(`${op}: mask ${describe(mask)} must be ${q.dtype} (additive) or bool`);
  if (!Number.isFinite(scale)) throw new ShapeError(`${op}: scale must be finite, got ${scale}`);
  return scores;
}

/** The mask's additive value at each flat index of the scores [B, Hq, Tq, Tk] (0 without a mask). */
export function maskReader(mask: RefTensor | undefined, scores: readonly number[]) {
  if (!mask) return (_flat: number) => 0;
  const index = broadcastIndex(scores, mask.shape);
  const data = mask.data;
  return mask.dtype === 'bool'
    ? (flat: number) => (data[index[flat]] ? 0 : Number.NEGATIVE_INFINITY)
    : (flat: number) => data[index[flat]];
}

/** HF repeat_kv: [B, Hkv, T, D] -> [B, Hkv * group, T, D], head h reading kv head floor(h / group). */
export function repeatKv(x: Tensor, group: number): Tensor {
  if (group === 1) return x;
  const [b, h, t, d] = x.shape;
  return x
    .reshape([b, h, 1, t, d])
    .broadcastTo([b, h, group, t, d])
    .reshape([b, h * group, t, d]);
}

/** The transpose of repeatKv: [B, Hkv * group, T, D] -> [B, Hkv, T, D], summing each group. */
export function sumGroups(x: Tensor, group: number): Tensor {
  if (group === 1) return x;
  const [b, h, t, d] = x.shape;
  return x.reshape([b, h / group, group, t, d]).sum(2);
}

/** [Tq, Tk]: whether key j lies in query i's future, j > i + (Tk - Tq). */
function futureKeys(b: GraphBuilder, tq: number, tk: number): Tensor {
  return b
    .arange(tk)
    .unsqueeze(0)
    .greater(
      b
        .arange(tq)
        .unsqueeze(1)
        .add(tk - tq),
    );
}

/**
 * The dense scores q k^T * scale + mask with hidden keys at -inf, [B, Hq, Tq, Tk], and `hidden`
 * [.., Tq, 1]: the rows (queries) that see no key at all. Those rows get a mask of 0 instead, so
 * their scores stay finite; the caller zeroes what they produce (PyTorch's `_safe_softmax`).
 */
export function denseScores(
  q: Tensor,
  k: Tensor,
  mask: Tensor | undefined,
  { scale, causal }: { scale: number; causal: boolean },
): { scores: Tensor; hidden?: Tensor } {
  const NEG = Number.NEGATIVE_INFINITY;
  const [tq, tk] = [q.dim(2), k.dim(2)];
  const future = causal ? futureKeys(q.builder, tq, tk) : undefined;
  const additive = mask && mask.dtype === 'bool' ? ops.where(mask, 0, NEG) : mask;
  let hidden: Tensor | undefined;
  let visible = additive;
  if (additive) {
    hidden = (future ? ops.where(future, NEG, additive) : additive).max(-1, true).equal(NEG);
    visible = ops.where(hidden, 0, additive);
  }
  let scores = q.matmul(repeatKv(k, q.dim(1) / k.dim(1)).transpose()).mul(scale);
  if (visible) scores = scores.add(visible);
  if (future) scores = ops.where(future, NEG, scores);
  return { scores, hidden };
}

/**
 * The probabilities p and d scores ds, both [B, Hq, Tq, Tk], for packed out = (y, lse) and its cotangent (dy, dlse): with p =
 * exp(s - lse), ds = p * (dp - delta), dp = dy v^T and delta = rowsum(dy * y) - dlse.
 */
export function denseScoreGrad(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  out: Tensor,
  dout: Tensor,
  mask: Tensor | undefined,
  attrs: { scale: number; causal: boolean },
): { p: Tensor; ds: Tensor } {
  const d = q.dim(-1);
  const { scores } = denseScores(q, k, mask, attrs);
  const p = scores.sub(out.narrow(3, d, d + 1)).exp();
  const dy = dout.narrow(3, 0, d);
  const delta = dy
    .mul(out.narrow(3, 0, d))
    .sum(-1, true)
    .sub(dout.narrow(3, d, d + 1));
  const dp = dy.matmul(repeatKv(v, q.dim(1) / k.dim(1)).transpose());
  return { p, ds: p.mul(dp.sub(delta)) };
}
