import type { Tensor } from '../graph/tensor.js';
import { AttentionPlan, type LayerCache } from '../nn/attention.js';
import type { Module } from '../nn/module.js';
import type { ModuleList } from '../nn/module-list.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { DecoderInputs } from './virtual-tokens.js';

/** A decoder layer as the stack calls it: residual stream in, residual stream and cache out. */
export type RunLayer<L extends Module> = (
  layer: L,
  h: Tensor,
  plan: AttentionPlan,
  cache: LayerCache | undefined,
) => { h: Tensor; present?: LayerCache };

/**
 * The part every decoder-only model shares: one attention plan (masks, cache slots) traced once
 * per pass, the layers run in order on the residual stream, and the caches they return collected
 * when a cache (fixed-size or growing) was given. With gradient checkpointing, each layer is one
 * checkpointed segment (see TraceContext.checkpoint).
 */
export function runDecoderStack<L extends Module>(
  ctx: TraceContext,
  inputs: DecoderInputs,
  layers: ModuleList<L>,
  h: Tensor,
  runLayer: RunLayer<L>,
): { h: Tensor; present?: LayerCache[] } {
  const { cache, past_key_values: past } = inputs;
  const plan = new AttentionPlan(ctx.b, {
    seq: h.dim(1),
    mask: inputs.attention_mask,
    segments: inputs.segment_ids,
    cache: cache && { positions: cache.positions, length: cache.layers[0].key.dim(2) },
    past: past?.[0].key.dim(2),
  });
  const present: LayerCache[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layerIn = h;
    const out = ctx.checkpoint(() =>
      runLayer(layers.at(i), layerIn, plan, cache?.layers[i] ?? past?.[i]),
    );
    h = out.h;
    if (out.present) present.push(out.present);
  }
  return cache || past ? { h, present } : { h };
}
