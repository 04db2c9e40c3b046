import type { Tensor } from '../graph/tensor.js';
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import type { TraceContext } from '../nn/trace-context.js';

/**
 * The output projection of a causal LM: its `lm_head`, or with `tie_word_embeddings` the input
 * embedding's own weight. A tied model has no `lm_head` parameter, as HF checkpoints of tied
 * models have no `lm_head.weight`. The embedding's Parameter object is held, not looked up by
 * path, so it stays the tied one when a PEFT method wraps `embed_tokens`.
 */
export class TiedEmbeddings {
  private readonly weight: Parameter;

  constructor(embedding: Module) {
    const own = embedding.namedParameters().find(([name]) => name === 'weight');
    if (!own) throw new Error(`${embedding.constructor.name} has no 'weight' to tie`);
    this.weight = own[1];
  }

  /** hidden [..., H] x weight^T [H, vocab] */
  logits(ctx: TraceContext, hidden: Tensor): Tensor {
    return hidden.matmul(ctx.tensor(this.weight).transpose());
  }
}
