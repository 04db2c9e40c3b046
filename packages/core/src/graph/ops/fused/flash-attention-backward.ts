import { ShapeError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import { formatShape, sameShape } from '../../shape.js';
import {
  checkAttention,
  denseScoreGrad,
  maskReader,
  repeatKv,
  sumGroups,
} from './attention-common.js';

const OP = 'flash_attention_backward';

/**
 * The gradients of `flash_attention`: (q, k, v, out, dout, mask?) -> dq, dk and dv packed along
 * axis 2 as [B, Hkv, group * Tq + 2 Tk, D], where out = (y, lse) is the forward's packed output and
 * dout its cotangent. dq comes first, its heads grouped under their kv head ([B, Hq, Tq, D] read
 * as [B, Hkv, group * Tq, D]), then dk, then dv.
 *
 * FlashAttention's backward: each block of probabilities is recomputed from the saved lse as
 * p = exp(s - lse), never renormalised; with dp = dy v^T and delta = rowsum(dy * y) - dlse,
 * ds = p (dp - delta), dq = ds k * scale, dk = ds^T q * scale, dv = p^T dy (summed over a kv
 * head's group of query heads).
 */
export const flashAttentionBackward = {
  arity: [5, 6],
  infer(inputs, { scale, causal }) {
    const [q, k, v, out, dout, mask] = inputs;
    const [b, hq, tq, tk] = checkAttention(OP, [q, k, v, mask], causal, scale);
    const d = q.shape[3];
    const packed = [b, hq, tq, d + 1];
    if (!sameShape(out.shape, packed) || !sameShape(dout.shape, packed)) {
      throw new ShapeError(
        `${OP}: out and dout must be ${formatShape(packed)}, got ${formatShape(out.shape)} and ${formatShape(dout.shape)}`,
      );
    }
    const hkv = k.shape[1];
    return { shape: [b, hkv, (hq / hkv) * tq + 2 * tk, d], dtype: q.dtype };
  },
  reference(inputs, { scale, causal }, outInfo, ctx) {
    const [q, k, v, out, dout, mask] = inputs;
    const [b, hq, tq, d] = q.shape;
    const [, hkv, tk] = k.shape;
    const group = hq / hkv;
    const rows = group * tq + 2 * tk; // per kv head: dq's group * Tq rows, dk's Tk, dv's Tk
    const maskAt = maskReader(mask, [b, hq, tq, tk]);
    const grads = ctx.alloc(outInfo.dtype, b * hkv * rows * d);
    for (let bi = 0; bi < b; bi++) {
      for (let h = 0; h < hq; h++) {
        const head = bi * hkv + Math.floor(h / group);
        const kv = head * tk * d;
        const dqBase = (head * rows + (h % group) * tq) * d;
        const dkBase = (head * rows + group * tq) * d;
        const dvBase = dkBase + tk * d;
        for (let i = 0; i < tq; i++) {
          const row = (bi * hq + h) * tq + i;
          const o = row * (d + 1);
          const lse = out.data[o + d];
          if (lse === Number.POSITIVE_INFINITY) continue; // saw no key: p = 0 everywhere
          let delta = -dout.data[o + d];
          for (let c = 0; c < d; c++) delta += dout.data[o + c] * out.data[o + c];
          const visible = causal ? i + (tk - tq) + 1 : tk;
          for (let j = 0; j < visible; j++) {
            const key = kv + j * d;
            let dot = 0;
            let dp = 0;
            for (let c = 0; c < d; c++) {
              dot += q.data[row * d + c] * k.data[key + c];
              dp += dout.data[o + c] * v.data[key + c];
            }
            const p = Math.exp(dot * scale + maskAt(row * tk + j) - lse);
            if (p === 0) continue;
            const ds = p * (dp - delta) * scale;
            for (let c = 0; c < d; c++) {
              grads[dqBase + i * d + c] += ds * k.data[key + c];
              grads[dkBase + j * d + c] += ds * q.data[row * d + c];
              grads[dvBase + j * d + c] += p * dout.data[o + c];
            }
          }
        }
      }
    }
    return grads;
  },
  // The dense form: the whole [B, Hq, Tq, Tk] of probabilities and score gradients at once.
  decompose([q, k, v, out, dout, mask], attrs) {
    const [b, hq, tq, d] = q.shape;
    const [, hkv] = k.shape;
    const group = hq / hkv;
    const { p, ds: dsUnscaled } = denseScoreGrad(q, k, v, out, dout, mask, attrs);
    const ds = dsUnscaled.mul(attrs.scale);
    const dq = ds.matmul(repeatKv(k, group)).reshape([b, hkv, group * tq, d]);
    const dk = sumGroups(ds.transpose().matmul(q), group);
    const dv = sumGroups(p.transpose().matmul(dout.narrow(3, 0, d)), group);
    return ops.concat([dq, dk, dv], 2);
  },
} satisfies OpDef<'flash_attention_backward'>;
