import { UserError } from '../errors/index.js';
import { type Graph, GraphBuilder, ops, type Tensor } from '../graph/index.js';
import type { CausalLM } from '../models/index.js';
import { TraceContext } from '../nn/index.js';

/** Graph input names of the KV cache of layer `layer`. */
export function cacheInputNames(layer: number): { key: string; value: string } {
  return { key: `past_key_values.${layer}.key`, value: `past_key_values.${layer}.value` };
}

/**
 * One forward pass of `tokens` tokens for `batch` rows, returning only the last position's logits
 * [B, vocab] as output `logits` (the full [B, T, vocab] never leaves the device).
 *
 * With `cacheLength` L, the pass reads and writes a KV cache: inputs `past_key_values.{i}.key` and
 * `.value` [B, Hkv, L, D] (role 'state') are updated in place with the model's `present`, the new
 * keys and values going to the slots in `cache_position` (i32 [T]); `attention_mask` is
 * [B, 1, T, L]. Without it the pass sees only its own tokens and the mask is [B, 1, T, T].
 * `input_ids` and `position_ids` are i32 [B, T].
 *
 * With `primePrefix`, the pass first writes the keys and values of the model's active
 * prefix-family adapter (`tracePrefix`: prefix tuning's prefix, prompt tuning's virtual tokens)
 * into the cache's first N slots, where every later pass finds them: the prefill does it once.
 */
export function traceStepGraph(
  model: CausalLM,
  batch: number,
  tokens: number,
  cacheLength?: number,
  opts: { readonly primePrefix?: boolean } = {},
): Graph {
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { numLayers, numKeyValueHeads, headDim, vocabSize } = model.shape;
  const keys = cacheLength ?? tokens;
  const input_ids = b.input('input_ids', [batch, tokens], 'i32');
  const position_ids = b.input('position_ids', [batch, tokens], 'i32');
  const attention_mask = b.input('attention_mask', [batch, 1, tokens, keys], 'f32');
  let cache: { layers: { key: Tensor; value: Tensor }[]; positions: Tensor } | undefined;
  if (cacheLength !== undefined) {
    const shape = [batch, numKeyValueHeads, cacheLength, headDim];
    cache = {
      positions: b.input('cache_position', [tokens], 'i32'),
      layers: Array.from({ length: numLayers }, (_, i) => {
        const names = cacheInputNames(i);
        return {
          key: b.input(names.key, shape, 'f32', 'state'),
          value: b.input(names.value, shape, 'f32', 'state'),
        };
      }),
    };
  }
  if (cache && opts.primePrefix) cache = { ...cache, layers: primed(model, ctx, cache.layers) };
  const out = model.forward(ctx, { input_ids, position_ids, attention_mask, cache });
  const logits = out.logits.narrow(1, tokens - 1, tokens).reshape([batch, vocabSize]);
  const updates: Record<string, Tensor> = {};
  if (cache) {
    if (out.present?.length !== numLayers) {
      throw new UserError(
        `${model.constructor.name}: given a KV cache, forward must return 'present' for each of its ${numLayers} layers`,
      );
    }
    out.present.forEach(({ key, value }, i) => {
      const names = cacheInputNames(i);
      updates[names.key] = key;
      updates[names.value] = value;
    });
  }
  return b.build({ logits }, updates);
}

/** Each layer's cache [B, Hkv, L, D] with the model's prefix [B, Hkv, N, D] in slots 0..N-1. */
function primed(
  model: CausalLM,
  ctx: TraceContext,
  layers: readonly { key: Tensor; value: Tensor }[],
): { key: Tensor; value: Tensor }[] {
  if (!model.tracePrefix)
    throw new Error(`${model.constructor.name} has no tracePrefix; it cannot hold a prefix`);
  const [batch, , length] = layers[0].key.shape;
  const prefix = model.tracePrefix(ctx, batch);
  const n = prefix[0].key.dim(2);
  const write = (p: Tensor, c: Tensor) => ops.concat([p, c.narrow(2, n, length)], 2);
  return layers.map((layer, i) => ({
    key: write(prefix[i].key, layer.key),
    value: write(prefix[i].value, layer.value),
  }));
}
