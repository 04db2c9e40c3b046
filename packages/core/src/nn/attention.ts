import type { GraphBuilder } from '../graph/builder.js';
import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';
import { segmentMask } from './segment-mask.js';

/** One layer's fixed-size key/value cache, each [B, Hkv, L, D]. */
export interface LayerCache {
  readonly key: Tensor;
  readonly value: Tensor;
}

export interface AttentionPlanOptions {
  /** Tokens in this pass (T). */
  readonly seq: number;
  /** The caller's additive mask [B, 1, T, Tk] (0 visible, -inf hidden); it replaces the causal rule. */
  readonly mask?: Tensor;
  /**
   * Packed rows (not with `mask` or a cache): i32 [B, T], the example each token belongs to; a
   * token sees the earlier tokens of its own example only. The block-diagonal mask is built in
   * the graph (segmentMask) and the causal rule stays on.
   */
  readonly segments?: Tensor;
  /** With a cache: where this pass's keys are written (i32 [T]) and the cache length L. */
  readonly cache?: { readonly positions: Tensor; readonly length: number };
  /**
   * With a growing cache (`past_key_values`, not with `cache`): the P tokens before this pass.
   * Each layer's cache is then its past [B, Hkv, P, D], and the keys are concat(past, new).
   */
  readonly past?: number;
}

/** How the keys are hidden from the queries: `ops.causalAttention`'s `causal` and `mask`. */
export interface Masking {
  readonly causal: boolean;
  readonly mask?: Tensor;
}

/**
 * What the attention layers of one forward pass share: how keys are hidden (per sliding window)
 * and the one-hot that writes the pass's keys and values into a fixed-size cache. Each is traced
 * once per pass, not once per layer.
 *
 * Without a cache, attention is causal over the T tokens unless the caller gives a mask. With a
 * cache of L slots, queries are the tokens written at `positions` and keys are the L slots; without
 * a mask, query t sees slots 0..positions[t] (the causal rule in cache coordinates). With a growing
 * cache of P past tokens (`past`), keys are the P + T tokens and query t is key P + t. A sliding
 * window W (Mistral, Qwen2) also hides keys W or more slots behind the query, as transformers'
 * sliding-window mask does; it is traced only where it can hide something (Tk > W), and always
 * with a growing cache.
 */
export class AttentionPlan {
  private readonly maskings = new Map<number, Masking>();
  private cacheWrite?: { readonly scatter: Tensor; readonly keep: Tensor };

  constructor(
    private readonly b: GraphBuilder,
    private readonly opts: AttentionPlanOptions,
  ) {}

  /**
   * softmax(q k^T * scale + mask) v over this pass's keys, or, with a layer `cache`, over the cache
   * with this pass's keys written in (returned as `present`). q [B, Hq, T, D], k and v
   * [B, Hkv, T, D] -> y [B, Hq, T, D].
   */
  attend(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    opts: { scale: number; slidingWindow?: number; cache?: LayerCache },
  ): { y: Tensor; present?: LayerCache } {
    const { causal, mask } = this.masking(opts.slidingWindow);
    if (!opts.cache)
      return { y: ops.causalAttention(q, k, v, { scale: opts.scale, causal, mask }) };
    const present =
      this.opts.past === undefined
        ? { key: this.write(opts.cache.key, k), value: this.write(opts.cache.value, v) }
        : { key: ops.concat([opts.cache.key, k], 2), value: ops.concat([opts.cache.value, v], 2) };
    const y = ops.causalAttention(q, present.key, present.value, {
      scale: opts.scale,
      causal,
      mask,
    });
    return { y, present };
  }

  private masking(slidingWindow = Number.POSITIVE_INFINITY): Masking {
    let m = this.maskings.get(slidingWindow);
    if (!m) {
      m = this.buildMasking(slidingWindow);
      this.maskings.set(slidingWindow, m);
    }
    return m;
  }

  private buildMasking(window: number): Masking {
    const { b } = this;
    const { seq, mask, segments, cache, past } = this.opts;
    const keys = cache ? cache.length : seq + (past ?? 0);
    // [T, 1] index of each query and [1, Tk] index of each key, in key coordinates
    const tokens = past ? b.arange(keys).narrow(0, past, keys) : b.arange(seq);
    const query = (cache ? cache.positions : tokens).reshape([seq, 1]);
    const key = b.arange(keys).reshape([1, keys]);
    const hidden = (cond: Tensor) =>
      ops.where(cond, b.scalar(Number.NEGATIVE_INFINITY), b.scalar(0)).reshape([1, 1, seq, keys]);
    let additive =
      mask ??
      (segments && segmentMask(segments)) ??
      (cache ? hidden(key.greater(query)) : undefined);
    // with a growing cache a finite window is always traced, so that one graph (the ONNX export's)
    // serves every length
    if (keys > window || (past !== undefined && Number.isFinite(window))) {
      // hidden when query - key >= W, i.e. key < query - W + 1
      const outside = hidden(key.less(query.sub(window - 1)));
      additive = additive ? additive.add(outside) : outside;
    }
    return { causal: mask === undefined && cache === undefined, mask: additive };
  }

  /** cache * (1 - written slots) + onehot^T fresh: writes fresh [B, Hkv, T, D] at `positions`. */
  private write(cache: Tensor, fresh: Tensor): Tensor {
    if (!this.cacheWrite) {
      const { positions, length } = this.opts.cache as NonNullable<AttentionPlanOptions['cache']>;
      const seq = this.opts.seq;
      // onehot [T, L]: token t goes to slot positions[t]; a position outside [0, L) writes nothing
      const onehot = positions
        .reshape([seq, 1])
        .equal(this.b.arange(length).reshape([1, length]))
        .cast('f32');
      this.cacheWrite = {
        scatter: onehot.transpose(),
        keep: onehot.sum(0).neg().add(1).reshape([length, 1]),
      };
    }
    return cache.mul(this.cacheWrite.keep).add(this.cacheWrite.scatter.matmul(fresh));
  }
}

/** [B, T, H * D] -> [B, H, T, D] */
export function splitHeads(x: Tensor, heads: number): Tensor {
  const [batch, seq, width] = x.shape;
  return x.reshape([batch, seq, heads, width / heads]).transpose([0, 2, 1, 3]);
}

/** [B, H, T, D] -> [B, T, H * D] */
export function mergeHeads(y: Tensor): Tensor {
  const [batch, heads, seq, dim] = y.shape;
  return y.transpose([0, 2, 1, 3]).reshape([batch, seq, heads * dim]);
}
