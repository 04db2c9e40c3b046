import type { Tensor } from '../graph/tensor.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { TaskModel, TrunkShape } from './task-model.js';

/** What generation and training need to know of any causal LM's shape. */
export interface CausalLMShape extends TrunkShape {
  readonly vocabSize: number;
}

/**
 * A fixed-size key/value cache for one forward pass. Each layer's cache is a pair of graph inputs
 * [B, Hkv, L, D] (role 'state'); the new keys and values of the T tokens being run are written at
 * `positions` (i32 [T], the same for every row: batches are left-padded) with a one-hot matmul, so
 * one compiled graph serves every decoding step. The written tensors are returned in `present`, for
 * the caller to make in-place updates of the cache inputs.
 */
export interface KVCacheInputs {
  readonly layers: readonly { readonly key: Tensor; readonly value: Tensor }[];
  readonly positions: Tensor;
}

export interface CausalLMInputs {
  /** i32 [B, T] */
  readonly input_ids: Tensor;
  /** i32 [B, T]: rotary / learned positions of each token (they restart per packed example). */
  readonly position_ids: Tensor;
  /**
   * Additive f32 mask [B, 1, T, Tk] (0 = visible, -inf = hidden) over the keys: Tk = T without a
   * cache, L with one, P + T with `past_key_values`. When given it replaces the built-in causal
   * rule; without it, attention is causal over the T tokens (and the P before them).
   */
  readonly attention_mask?: Tensor;
  /**
   * i32 [B, T], packed rows (not with `attention_mask` or a cache): the example (segment) each token
   * belongs to; a token sees the earlier tokens of its own segment only. The block-diagonal causal
   * mask is built in the graph instead of being fed as a [B, 1, T, T] `attention_mask`.
   */
  readonly segment_ids?: Tensor;
  /**
   * With an active prefix-family adapter (prefix tuning, prompt tuning, P-tuning) a cache holds its
   * N tokens' keys and values in its first slots (`tracePrefix`), and the input's positions and
   * mask count them, as PEFT primes `past_key_values`; forward adds the prefix only without a cache.
   */
  readonly cache?: KVCacheInputs;
  /**
   * A growing cache, HF's `past_key_values` (not with `cache`): each layer's keys and values
   * [B, Hkv, P, D] of the P tokens before this pass. Attention runs over the P + T keys, which
   * `present` returns as concat(past, new) [B, Hkv, P + T, D]; the ONNX export uses it.
   */
  readonly past_key_values?: readonly { readonly key: Tensor; readonly value: Tensor }[];
}

export interface CausalLMOutputs {
  /** f32 [B, T, vocab] */
  readonly logits: Tensor;
  /**
   * The LM head's input, f32 [B, T, H] (the rows of `logits`), and the head itself, so a loss can
   * project a chunk of rows at a time (`chunkedCrossEntropy`) instead of reading `logits`, which a
   * graph then drops unused.
   */
  readonly head?: { readonly hidden: Tensor; project(hidden: Tensor): Tensor };
  /**
   * The caches with this pass's keys and values written in (or appended, with `past_key_values`),
   * one per layer, when a cache was given.
   */
  readonly present?: readonly { readonly key: Tensor; readonly value: Tensor }[];
}

/**
 * A decoder-only language model as a module tree with HF parameter names: a task model whose
 * default head is the LM head (`lm_head`, vocabSize wide), the one that generates.
 */
export interface CausalLM extends TaskModel {
  readonly shape: CausalLMShape;
  forward(ctx: TraceContext, inputs: CausalLMInputs, head?: string): CausalLMOutputs;
}

/** N of `model.prefixLength()`: 0 for a model without prefix-family adapters. */
export function prefixLengthOf(model: TaskModel): number {
  return model.prefixLength?.() ?? 0;
}

/** The positions a prompt and its answer may take: max_position_embeddings less the adapter's prefix. */
export function inputPositionsOf(model: TaskModel): number {
  return model.shape.maxPositions - prefixLengthOf(model);
}
