import {
  Embedding,
  type HostTensor,
  type Tensor,
  type TraceContext,
  UnaryModule,
} from '@tunekit/core';

/**
 * PEFT's `PromptEmbedding`: the virtual tokens' embeddings as the rows of `embedding.weight`
 * [num_virtual_tokens * num_transformer_submodules, token_dim]; forward looks up the rows of the
 * virtual-token indices [B, N] -> [B, N, token_dim].
 */
export class PromptEmbedding extends UnaryModule {
  readonly numVirtualTokens: number;

  constructor(weight: HostTensor) {
    super();
    const [rows, dim] = weight.shape;
    const embedding = this.addModule('embedding', new Embedding(rows, dim));
    for (const [, p] of embedding.namedParameters()) p.value = weight;
    this.numVirtualTokens = rows;
  }

  forward(ctx: TraceContext, indices: Tensor): Tensor {
    return this.sub('embedding').forward(ctx, indices);
  }

  /** `forward`: prompt tuning has no dropout. */
  encode(ctx: TraceContext, indices: Tensor): Tensor {
    return this.forward(ctx, indices);
  }
}
