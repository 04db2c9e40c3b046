import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import { sumToShape } from '../helpers.js';
import {
  checkAttention,
  denseScoreGrad,
  denseScores,
  maskReader,
  repeatKv,
} from './attention-common.js';

const OP = 'flash_attention';
/** Keys per block of the reference kernel's online softmax. */
const KEY_BLOCK = 16;

/**
 * Attention softmax(q k^T * scale + mask) v with grouped-query heads, and the log-sum-exp of each
 * query's scores, packed as [B, Hq, Tq, D + 1]: y in [..., :D], lse in [..., D]. q [B, Hq, Tq, D],
 * k and v [B, Hkv, Tk, D], Hq a multiple of Hkv (HF repeat_kv). With `causal`, query i sees key j
 * iff j <= i + (Tk - Tq): a prefix or KV cache of Tk - Tq keys is visible to every query. The mask
 * (additive or boolean, see attention-common.ts) broadcasts to [B, Hq, Tq, Tk]. A query that sees
 * no key gives y = 0 (PyTorch's `_safe_softmax`) and lse = +inf, so exp(s - lse) is 0 for it.
 *
 * FlashAttention (Dao et al. 2022): the forward runs an online softmax over blocks of keys and
 * keeps only y and lse; the backward (`flash_attention_backward`) recomputes each block of
 * probabilities as p = exp(s - lse). Neither holds the [Tq, Tk] scores of a head at once.
 */
export const flashAttention = {
  arity: [3, 4],
  infer(inputs, { scale, causal }) {
    checkAttention(OP, inputs, causal, scale);
    const [b, hq, tq, d] = inputs[0].shape;
    return { shape: [b, hq, tq, d + 1], dtype: inputs[0].dtype };
  },
  reference(inputs, { scale, causal }, out, ctx) {
    const [q, k, v, mask] = inputs;
    const [b, hq, tq, d] = q.shape;
    const [, hkv, tk] = k.shape;
    const group = hq / hkv;
    const maskAt = maskReader(mask, [b, hq, tq, tk]);
    const y = ctx.alloc(out.dtype, b * hq * tq * (d + 1));
    const s = new Float64Array(KEY_BLOCK);
    const acc = new Float64Array(d);
    for (let bi = 0; bi < b; bi++) {
      for (let h = 0; h < hq; h++) {
        const kv = (bi * hkv + Math.floor(h / group)) * tk * d;
        for (let i = 0; i < tq; i++) {
          const row = (bi * hq + h) * tq + i;
          const visible = causal ? i + (tk - tq) + 1 : tk; // keys [0, visible) may be attended
          // m: running max, l: running sum of exp(s - m), acc: running sum of exp(s - m) v
          let m = Number.NEGATIVE_INFINITY;
          let l = 0;
          acc.fill(0);
          for (let j0 = 0; j0 < visible; j0 += KEY_BLOCK) {
            const n = Math.min(KEY_BLOCK, visible - j0);
            let blockMax = Number.NEGATIVE_INFINITY;
            for (let j = 0; j < n; j++) {
              let dot = 0;
              const key = kv + (j0 + j) * d;
              for (let c = 0; c < d; c++) dot += q.data[row * d + c] * k.data[key + c];
              s[j] = dot * scale + maskAt(row * tk + j0 + j);
              blockMax = Math.max(blockMax, s[j]);
            }
            const mNew = Math.max(m, blockMax);
            if (mNew === Number.NEGATIVE_INFINITY) continue; // nothing visible yet
            const alpha = Math.exp(m - mNew); // rescales what was summed against the old max
            l *= alpha;
            for (let c = 0; c < d; c++) acc[c] *= alpha;
            for (let j = 0; j < n; j++) {
              const p = Math.exp(s[j] - mNew);
              l += p;
              const value = kv + (j0 + j) * d;
              for (let c = 0; c < d; c++) acc[c] += p * v.data[value + c];
            }
            m = mNew;
          }
          const o = row * (d + 1);
          if (m === Number.NEGATIVE_INFINITY) {
            y[o + d] = Number.POSITIVE_INFINITY; // no key seen: y stays 0
            continue;
          }
          for (let c = 0; c < d; c++) y[o + c] = acc[c] / l;
          y[o + d] = m + Math.log(l);
        }
      }
    }
    return y;
  },
  vjp({ inputs: [q, k, v, mask], out, dy, attrs }) {
    const [b, hq, tq, d] = q.shape;
    const [, hkv, tk] = k.shape;
    const group = hq / hkv;
    const grads = q.builder.apply(
      'flash_attention_backward',
      mask ? [q, k, v, out, dy, mask] : [q, k, v, out, dy],
      attrs,
    );
    const dq = grads.narrow(2, 0, group * tq).reshape([b, hq, tq, d]);
    const dk = grads.narrow(2, group * tq, group * tq + tk);
    const dv = grads.narrow(2, group * tq + tk, group * tq + 2 * tk);
    // an additive mask's gradient is the scores' (dense; pruned when, as in training, the mask is data)
    const dmask =
      mask && mask.dtype !== 'bool'
        ? sumToShape(denseScoreGrad(q, k, v, out, dy, mask, attrs).ds, mask.shape)
        : null;
    return mask ? [dq, dk, dv, dmask] : [dq, dk, dv];
  },
  // The dense form: the scores as one tensor, the fused softmax (lowered or decomposed in turn).
  decompose([q, k, v, mask], attrs) {
    const { scores, hidden } = denseScores(q, k, mask, attrs);
    const y = ops.softmax(scores, -1).matmul(repeatKv(v, q.dim(1) / k.dim(1)));
    // lse = m + log sum exp(s - m), m the row max (a constant for the gradient: its terms cancel)
    const m = ops.stopGradient(scores.max(-1, true));
    const lse = scores.sub(m).exp().sum(-1, true).log().add(m);
    if (!hidden) return ops.concat([y, lse], -1);
    return ops.concat(
      [ops.where(hidden, 0, y), ops.where(hidden, Number.POSITIVE_INFINITY, lse)],
      -1,
    );
  },
} satisfies OpDef<'flash_attention'>;
