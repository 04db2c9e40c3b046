import { dequantizeBlockwise } from './blockwise.js';
import type { Reduction } from './op-name.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Ops with several tensor inputs, and the fused ops, as functions: `ops.softmax(x, -1)`. */
export const ops = {
  concat(xs: readonly Tensor[], axis: number): Tensor {
    return xs[0].builder.apply('concat', xs, { axis });
  },
  /** cond ? a : b, with broadcasting */
  where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
    const like = typeof a === 'number' ? (b as Tensor) : a;
    const lift = (x: Tensor | number) =>
      typeof x === 'number' ? cond.builder.scalar(x, like.dtype) : x;
    return cond.builder.apply('where', [cond, lift(a), lift(b)], {});
  },
  /** Adds `updates` into a zero tensor of `size` rows along `axis` at `indices` (gather's transpose). */
  scatterAdd(indices: Tensor, updates: Tensor, axis: number, size: number): Tensor {
    return indices.builder.apply('scatter_add', [indices, updates], { axis, size });
  },
  randomUniform(seed: Tensor, shape: readonly number[]): Tensor {
    return seed.builder.apply('random_uniform', [seed], { shape: [...shape] });
  },
  softmax(x: Tensor, axis = -1): Tensor {
    return x.softmax(axis);
  },
  logSoftmax(x: Tensor, axis = -1): Tensor {
    return x.logSoftmax(axis);
  },
  rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
    return x.builder.apply('rms_norm', [x, weight], { eps });
  },
  layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
    return x.builder.apply('layer_norm', [x, weight, bias], { eps });
  },
  /** HF rotary embedding (rotate-half): x [..., T, D], cos/sin broadcastable to x. */
  rope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
    return x.builder.apply('rope', [x, cos, sin], {});
  },
  /**
   * Attention softmax(q k^T * scale + mask) v. q [B, Hq, Tq, D], k/v [B, Hkv, Tk, D] with Hq a
   * multiple of Hkv (grouped-query heads). With `causal`, query i sees keys j <= i + (Tk - Tq), so
   * the first Tk - Tq keys (a KV cache or a learned prefix) are visible to every query. The mask
   * is additive (f32) or boolean (true keeps a key) and broadcasts to [B, Hq, Tq, Tk]. Traced as
   * `flash_attention`, whose memory grows with Tq + Tk on backends that lower it blockwise.
   */
  causalAttention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    opts: { scale?: number; causal?: boolean; mask?: Tensor } = {},
  ): Tensor {
    const scale = opts.scale ?? 1 / Math.sqrt(q.dim(-1));
    const inputs = opts.mask ? [q, k, v, opts.mask] : [q, k, v];
    const packed = q.builder.apply('flash_attention', inputs, {
      scale,
      causal: opts.causal ?? true,
    });
    return packed.narrow(-1, 0, q.dim(-1)); // the log-sum-exp in the last column stays for the backward
  },
  /** PyTorch's F.cross_entropy: logits [N, C], integer labels [N]; ignored labels carry no loss. */
  crossEntropy(
    logits: Tensor,
    labels: Tensor,
    opts: { ignore_index?: number; label_smoothing?: number; reduction?: Reduction } = {},
  ): Tensor {
    return logits.builder.apply('cross_entropy', [logits, labels], {
      ignore_index: opts.ignore_index ?? -100,
      label_smoothing: opts.label_smoothing ?? 0,
      reduction: opts.reduction ?? 'mean',
    });
  },
  /** Inverted dropout: zero with probability p, scale the rest by 1/(1-p); the mask follows `seed`. */
  dropout(x: Tensor, seed: Tensor, p: number): Tensor {
    return x.builder.apply('dropout', [x, seed], { p });
  },
  /** x itself, treated as a constant by autodiff (PyTorch's `x.detach()`). */
  stopGradient(x: Tensor): Tensor {
    return x.builder.apply('stop_gradient', [x], {});
  },
  /** `x`, computed only once `after` is, and kept apart from `x` by compilers (recomputation). */
  optimizationBarrier(x: Tensor, after: Tensor): Tensor {
    return x.builder.apply('optimization_barrier', [x, after], {});
  },
  /**
   * A bitsandbytes 4-bit weight (NF4 or FP4) as f32 of `shape`: packed u8 [ceil(n/2)] (first
   * element in the high nibble), absmax f32 [ceil(n/blocksize)], code f32 [16]. Used right before
   * the weight's matmul, so only one weight is ever held in f32.
   */
  dequantize4bit(
    packed: Tensor,
    absmax: Tensor,
    code: Tensor,
    opts: { blocksize: number; shape: Shape },
  ): Tensor {
    return packed.builder.apply('dequantize_4bit', [packed, absmax, code], {
      blocksize: opts.blocksize,
      shape: [...opts.shape],
    });
  },
  /**
   * bitsandbytes' 8-bit `dequantize_blockwise`: code[q] * absmax per block, q u8, code f32 [256].
   * Double quantization's absmax is `dequantizeBlockwise8bit(absmax_q, nested_absmax,
   * nested_quant_map, 256).add(offset)`; composed from primitives, as it is n/blocksize long.
   */
  dequantizeBlockwise8bit(q: Tensor, absmax: Tensor, code: Tensor, blocksize: number): Tensor {
    return dequantizeBlockwise(q, absmax, code, blocksize);
  },
};
