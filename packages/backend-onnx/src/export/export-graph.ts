import {
  type CausalLM,
  type Graph,
  GraphBuilder,
  type HostTensor,
  ops,
  type Tensor,
  TraceContext,
} from '@tunekit/core';
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
 */
export function traceExportGraph(model: CausalLM, sizes: Sizes): ExportGraph {
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
  const out = model.forward(ctx, {
    input_ids: inputIds.cast('i32'),
    position_ids: positionIds.cast('i32'),
    attention_mask: paddedCausalMask(attentionMask, seq, past),
    past_key_values: pastKeyValues,
  });
  const outputs: Record<string, Tensor> = { logits: out.logits };
  out.present?.forEach((layer, i) => {
    outputs[presentNames(i).key] = layer.key;
    outputs[presentNames(i).value] = layer.value;
  });
  return { graph: b.build(outputs), weights: ctx.weights() };
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
