import { ops } from '../../graph/functional.js';
import type { Tensor } from '../../graph/tensor.js';
import { type AttentionPlan, type LayerCache, mergeHeads, splitHeads } from '../../nn/attention.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import type { TraceContext } from '../../nn/trace-context.js';
import type { LlamaArchitecture } from './architecture.js';

/** What the layers of one forward pass share: the attention plan and the rotary cos/sin [B, 1, T, D]. */
export interface LlamaPass {
  readonly plan: AttentionPlan;
  readonly cos: Tensor;
  readonly sin: Tensor;
}

/** HF LlamaAttention: q/k/v projections, rotary embeddings, grouped-query attention, o_proj. */
export class LlamaAttention extends Module {
  private readonly scale: number;

  constructor(
    private readonly arch: LlamaArchitecture,
    private readonly layerIdx: number,
  ) {
    super();
    const { hiddenSize, numHeads, numKeyValueHeads, headDim, qkvBias, oBias } = arch;
    this.addModule('q_proj', new Linear(hiddenSize, numHeads * headDim, qkvBias));
    this.addModule('k_proj', new Linear(hiddenSize, numKeyValueHeads * headDim, qkvBias));
    this.addModule('v_proj', new Linear(hiddenSize, numKeyValueHeads * headDim, qkvBias));
    this.addModule('o_proj', new Linear(numHeads * headDim, hiddenSize, oBias));
    this.scale = headDim ** -0.5;
  }

  /** x [B, T, H] -> [B, T, H], and this layer's cache with the pass's keys written in. */
  forward(
    ctx: TraceContext,
    x: Tensor,
    pass: LlamaPass,
    cache?: LayerCache,
  ): { y: Tensor; present?: LayerCache } {
    const { numHeads, numKeyValueHeads } = this.arch;
    const project = (name: string, heads: number) =>
      splitHeads(this.sub(name).forward(ctx, x), heads);
    const q = ops.rope(project('q_proj', numHeads), pass.cos, pass.sin);
    const k = ops.rope(project('k_proj', numKeyValueHeads), pass.cos, pass.sin);
    const v = project('v_proj', numKeyValueHeads);
    const { y, present } = pass.plan.attend(q, k, v, {
      scale: this.scale,
      slidingWindow: this.arch.slidingWindow(this.layerIdx),
      cache,
    });
    return { y: this.sub('o_proj').forward(ctx, mergeHeads(y)), present };
  }
}
