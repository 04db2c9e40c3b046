import type { Tensor } from '../../graph/tensor.js';
import { type AttentionPlan, type LayerCache, mergeHeads, splitHeads } from '../../nn/attention.js';
import { Conv1D } from '../../nn/conv1d.js';
import { Module } from '../../nn/module.js';
import type { TraceContext } from '../../nn/trace-context.js';
import type { GPT2Config } from './config.js';

/** HF GPT2Attention: fused q/k/v projection (c_attn), multi-head causal attention, c_proj. */
export class GPT2Attention extends Module {
  private readonly heads: number;
  private readonly scale: number;

  constructor(c: GPT2Config, layerIdx: number) {
    super();
    this.addModule('c_attn', new Conv1D(c.n_embd, 3 * c.n_embd));
    this.addModule('c_proj', new Conv1D(c.n_embd, c.n_embd));
    this.heads = c.n_head;
    const headDim = c.n_embd / c.n_head;
    this.scale =
      (c.scale_attn_weights ? headDim ** -0.5 : 1) /
      (c.scale_attn_by_inverse_layer_idx ? layerIdx + 1 : 1);
  }

  forward(
    ctx: TraceContext,
    x: Tensor,
    plan: AttentionPlan,
    cache?: LayerCache,
  ): { y: Tensor; present?: LayerCache } {
    const qkv = this.sub('c_attn').forward(ctx, x);
    const width = x.dim(-1);
    const [q, k, v] = [0, 1, 2].map((i) =>
      splitHeads(qkv.narrow(-1, i * width, (i + 1) * width), this.heads),
    );
    const { y, present } = plan.attend(q, k, v, { scale: this.scale, cache });
    return { y: this.sub('c_proj').forward(ctx, mergeHeads(y)), present };
  }
}
