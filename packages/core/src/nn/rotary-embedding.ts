import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';
import { Module } from './module.js';

/** The rotary inverse frequencies f32 [D/2] for a pass, from its position ids (dynamic scaling reads them). */
export type InvFreq = (positionIds: Tensor) => Tensor;

/**
 * HF `LlamaRotaryEmbedding` (`model.rotary_emb`, no parameters): cos and sin of
 * position x inv_freq, computed in the graph from `position_ids`, so no table of
 * max_position_embeddings rows is needed and positions may restart inside a row (packed examples).
 */
export class RotaryEmbedding extends Module {
  constructor(
    readonly headDim: number,
    private readonly invFreq: InvFreq,
  ) {
    super();
  }

  /** position_ids i32 [B, T] -> cos and sin f32 [B, 1, T, D], broadcastable over heads. */
  forward(positionIds: Tensor): { cos: Tensor; sin: Tensor } {
    const [batch, seq] = positionIds.shape;
    const half = this.headDim / 2;
    const invFreq = this.invFreq(positionIds).reshape([1, 1, half]);
    // freqs = position * inv_freq, one f32 product as in HF's K=1 matmul; emb = cat(freqs, freqs)
    const freqs = positionIds.cast('f32').reshape([batch, seq, 1]).mul(invFreq);
    const emb = ops.concat([freqs, freqs], -1).reshape([batch, 1, seq, this.headDim]);
    return { cos: emb.cos(), sin: emb.sin() };
  }
}
