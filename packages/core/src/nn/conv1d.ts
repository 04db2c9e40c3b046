import type { Tensor } from '../graph/tensor.js';
import { UnaryModule } from './module.js';
import { Parameter } from './parameter.js';
import type { TraceContext } from './trace-context.js';

/**
 * Hugging Face `pytorch_utils.Conv1D` (GPT-2's projections): a Linear whose weight is stored
 * transposed, [in_features, out_features], so y = x W + b.
 */
export class Conv1D extends UnaryModule {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    super();
    this.addParameter('weight', Parameter.zeros([inFeatures, outFeatures]));
    this.addParameter('bias', Parameter.zeros([outFeatures]));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    return x.matmul(ctx.tensor(this.weight('weight'))).add(ctx.tensor(this.weight('bias')));
  }
}
