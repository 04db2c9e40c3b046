import {
  type CausalLM,
  type Graph,
  GraphBuilder,
  type HostTensor,
  ops,
  type Tensor,
  TraceContext,
} from '@tunekit/core';
import { type PrefixLayer, prefixNames } from './export-prefix.js';
import type { Sizes } from './size-formula.js';

/** Graph input and output names of layer `i`'s cache, as Optimum and transformers.js name them. */
export const pastNames = (i: number) =>
  ({ key: `past_key_values.${i}.key`, value: `past_key_values.${i}.value` }) as const;
export const presentNames = (i: number) =>
  ({ key: `present.${i}.key`, value: `present.${i}.value` }) as const;

export interface ExportGraph {
  readonly graph: Graph;
  /** The weights the graph reads, by input name. */
  readonly weights: Readonly<Record<string, HostTensor>>;
}

/**
 * One forward pass with Optimum's signature, at fixed sizes: `input_ids` and `position_ids` i64
 * [B, T], `attention_mask` i64 [B, P + T] (1 = attend, 0 = padding), `past_key_values.N.key|value`
 * f32 [B, Hkv, P, D] -> `logits` [B, T, vocab] and `present.N.key|value` [B, Hkv, P + T, D].
 *
 * With a `prefix` (a prefix-family adapter's N tokens, see `hostPrefix`) the graph holds it as
 * constants and puts it before the past in every layer, as PEFT primes the cache: every token sees
 * it, positions count from N, and `present` leaves it out, so a caller (transformers.js) feeds and
 * masks only its own tokens, exactly as for a plain model.
 */
export function traceExportGraph(
  model: CausalLM,
  sizes: Sizes,
  prefix?: readonly PrefixLayer[],
): ExportGraph {
  const { batch, seq, past } = sizes;
  const { numLayers, numKeyValueHeads, headDim } = model.shape;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const inputIds = b.input('input_ids', [batch, seq], 'i64');
  const attentionMask = b.input('attention_mask', [batch, past + seq], 'i64');
  const positionIds = b.input('position_ids', [batch, seq], 'i64');
  const pastKeyValues = Array.from({ length: numLayers }, (_, i) => {
    const shape = [batch, numKeyValueHeads, past, headDim];
    return { key: b.input(pastNames(i).key, shape), value: b.input(pastNames(i).value, shape) };
  });
  const n = prefix?.[0].key.shape[2] ?? 0;
  const weights: Record<string, HostTensor> = {};
  // [1, ...] constants broadcast to the batch, so no constant changes with the sizes
  const withPrefix = (layer: { key: Tensor; value: Tensor }, i: number) => {
    if (!prefix) return layer;
    const names = prefixNames(i);
    weights[names.key] = prefix[i].key;
    weights[names.value] = prefix[i].value;
    const before = (name: string, t: HostTensor, past: Tensor) =>
      ops.concat(
        [b.input(name, t.shape, 'f32', 'frozen').broadcastTo([batch, ...t.shape.slice(1)]), past],
        2,
      );
    return {
      key: before(names.key, prefix[i].key, layer.key),
      value: before(names.value, prefix[i].value, layer.value),
    };
  };
  const seen = b.constant(1, [1, n], 'i64').broadcastTo([batch, n]);
  const out = model.forward(ctx, {
    input_ids: inputIds.cast('i32'),
    position_ids: n > 0 ? positionIds.cast('i32').add(b.scalar(n, 'i32')) : positionIds.cast('i32'),
    attention_mask: paddedCausalMask(
      n > 0 ? ops.concat([seen, attentionMask], 1) : attentionMask,
      seq,
      n + past,
    ),
    past_key_values: pastKeyValues.map(withPrefix),
  });
  const outputs: Record<string, Tensor> = { logits: out.logits };
  out.present?.forEach((layer, i) => {
    const own = (t: Tensor) => (n > 0 ? t.narrow(2, n, t.dim(2)) : t);
    outputs[presentNames(i).key] = own(layer.key);
    outputs[presentNames(i).value] = own(layer.value);
  });
  return { graph: b.build(outputs), weights: { ...ctx.weights(), ...weights } };
}

/**
 * The additive mask [B, 1, T, P + T] from a padding mask [B, P + T]: key j is visible to query i
 * (key P + i) iff attention_mask[b, j] != 0 and j <= P + i. Sizes enter only as shapes and slice
 * bounds, which the export turns into expressions of the run's sizes.
 */
function paddedCausalMask(attentionMask: Tensor, seq: number, past: number): Tensor {
  const b = attentionMask.builder;
  const [batch, keys] = attentionMask.shape;
  const padding = attentionMask.equal(0).reshape([batch, 1, 1, keys]);
  const key = b.arange(keys).reshape([1, keys]);
  const query = b.arange(keys).narrow(0, past, keys).reshape([seq, 1]);
  const future = key.greater(query).reshape([1, 1, seq, keys]);
  const hidden = Number.NEGATIVE_INFINITY;
  return ops.where(padding, hidden, ops.where(future, hidden, b.scalar(0)));
}
