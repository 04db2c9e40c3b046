import { ShapeError } from '../../../errors/index.js';
import type { GraphBuilder } from '../../builder.js';
import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import { formatShape, sameShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { broadcastIndex, commonDtype, describe, requireFloat } from '../helpers.js';
import { broadcastsTo } from './helpers.js';

const OP = 'causal_attention';

/** HF repeat_kv: [B, Hkv, T, D] -> [B, Hkv * group, T, D], head h reading kv head floor(h / group). */
function repeatKv(x: Tensor, group: number): Tensor {
  if (group === 1) return x;
  const [b, h, t, d] = x.shape;
  return x
    .reshape([b, h, 1, t, d])
    .broadcastTo([b, h, group, t, d])
    .reshape([b, h * group, t, d]);
}

/**
 * softmax(q k^T * scale + mask) v with grouped-query heads. q [B, Hq, Tq, D], k and v
 * [B, Hkv, Tk, D], Hq a multiple of Hkv; `mask` is additive and broadcasts to [B, Hq, Tq, Tk].
 * With `causal`, query i sees key j iff j <= i + (Tk - Tq): a prefix or KV cache of Tk - Tq keys
 * is visible to every query. A row whose every key is masked (-inf) gives 0, as PyTorch's SDPA
 * (`_safe_softmax`), never NaN.
 *
 * No hand-written `vjp`: autodiff differentiates the decomposition (matmuls, softmax, the
 * broadcast that repeats kv heads sums their gradients back), which is exact and checked by
 * gradcheck; a backend with a fused attention backward may lower it its own way.
 */
export const causalAttention = {
  arity: [3, 4],
  infer(inputs, { scale, causal }) {
    const [q, k, v, mask] = inputs;
    const all = `q ${describe(q)}, k ${describe(k)}, v ${describe(v)}`;
    requireFloat(OP, q);
    commonDtype(OP, inputs);
    if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) {
      throw new ShapeError(`${OP}: q, k and v must be [B, H, T, D], got ${all}`);
    }
    if (!sameShape(k.shape, v.shape))
      throw new ShapeError(`${OP}: k and v must have the same shape, got ${all}`);
    const [b, hq, tq, d] = q.shape;
    const [bk, hkv, tk, dk] = k.shape;
    if (b !== bk) throw new ShapeError(`${OP}: batch sizes (axis 0) differ: ${all}`);
    if (d !== dk) throw new ShapeError(`${OP}: head dims (axis -1) differ: ${all}`);
    if (hq % hkv !== 0) {
      throw new ShapeError(
        `${OP}: query heads (axis 1) must be a multiple of key/value heads: ${all}`,
      );
    }
    if (causal && tk < tq) {
      throw new ShapeError(
        `${OP}: causal attention needs at least as many keys as queries (axis 2): ${all}`,
      );
    }
    if (mask && !broadcastsTo(mask.shape, [b, hq, tq, tk])) {
      throw new ShapeError(
        `${OP}: mask ${describe(mask)} does not broadcast to the scores [B, Hq, Tq, Tk] = ${formatShape([b, hq, tq, tk])} (${all})`,
      );
    }
    if (!Number.isFinite(scale)) throw new ShapeError(`${OP}: scale must be finite, got ${scale}`);
    return { shape: q.shape, dtype: q.dtype };
  },
  reference(inputs, { scale, causal }, out, ctx) {
    const [q, k, v, mask] = inputs;
    const [b, hq, tq, d] = q.shape;
    const [, hkv, tk] = k.shape;
    const group = hq / hkv;
    const y = ctx.alloc(out.dtype, q.data.length);
    const maskIndex = mask && broadcastIndex([b, hq, tq, tk], mask.shape);
    const s = new Float64Array(tk);
    const acc = new Float64Array(d);
    for (let bi = 0; bi < b; bi++) {
      for (let h = 0; h < hq; h++) {
        const kv = (bi * hkv + Math.floor(h / group)) * tk * d;
        for (let i = 0; i < tq; i++) {
          const row = (bi * hq + h) * tq + i;
          const visible = causal ? i + (tk - tq) + 1 : tk; // keys [0, visible) may be attended
          let m = Number.NEGATIVE_INFINITY;
          for (let j = 0; j < visible; j++) {
            let dot = 0;
            for (let c = 0; c < d; c++) dot += q.data[row * d + c] * k.data[kv + j * d + c];
            s[j] = dot * scale + (mask && maskIndex ? mask.data[maskIndex[row * tk + j]] : 0);
            m = Math.max(m, s[j]);
          }
          if (m === Number.NEGATIVE_INFINITY) continue; // fully masked row: output stays 0
          let sum = 0;
          for (let j = 0; j < visible; j++) {
            s[j] = Math.exp(s[j] - m);
            sum += s[j];
          }
          acc.fill(0);
          for (let j = 0; j < visible; j++) {
            const p = s[j] / sum;
            for (let c = 0; c < d; c++) acc[c] += p * v.data[kv + j * d + c];
          }
          y.set(acc, row * d);
        }
      }
    }
    return y;
  },
  // Masked scores are set to -inf with `where`, so they get exactly zero weight, as in the
  // reference. The softmax is the fused op (a backend lowers or decomposes it in turn), so the
  // backward is its 4-op rule rather than the derivative of max, exp, sum and divide.
  decompose(inputs, { scale, causal }) {
    const [q, k, v, mask] = inputs;
    const [, hq, tq] = q.shape;
    const [, hkv, tk] = k.shape;
    const NEG = Number.NEGATIVE_INFINITY;
    const future = causal ? futureKeys(q.builder, tq, tk) : undefined;
    // Causal attention leaves every query at least key 0 (Tk >= Tq), but a mask may hide all of a
    // query's keys, which must give 0 (PyTorch's `_safe_softmax`), never NaN. Such rows are found
    // on the mask (smaller than the scores), unmasked so the softmax stays finite, and zeroed in
    // the output, which zeroes their gradients too.
    let hidden: Tensor | undefined;
    let additive = mask;
    if (mask) {
      hidden = (future ? ops.where(future, NEG, mask) : mask).max(-1, true).equal(NEG);
      additive = ops.where(hidden, 0, mask);
    }
    let scores = q.matmul(repeatKv(k, hq / hkv).transpose()).mul(scale);
    if (additive) scores = scores.add(additive);
    if (future) scores = ops.where(future, NEG, scores);
    const y = ops.softmax(scores, -1).matmul(repeatKv(v, hq / hkv));
    return hidden ? ops.where(hidden, 0, y) : y;
  },
} satisfies OpDef<'causal_attention'>;

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
