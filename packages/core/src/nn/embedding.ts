import type { Tensor } from '../graph/tensor.js';
import { UnaryModule } from './module.js';
import { Parameter } from './parameter.js';
import type { TraceContext } from './trace-context.js';

/** torch.nn.Embedding: rows of weight [num_embeddings, embedding_dim] picked by integer ids. */
export class Embedding extends UnaryModule {
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
  ) {
    super();
    this.addParameter('weight', Parameter.zeros([numEmbeddings, embeddingDim]));
  }

  forward(ctx: TraceContext, ids: Tensor): Tensor {
    return ctx.tensor(this.weight('weight')).gather(ids, 0);
  }
}
