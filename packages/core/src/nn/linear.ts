import type { Tensor } from '../graph/tensor.js';
import { UnaryModule } from './module.js';
import { Parameter } from './parameter.js';
import type { TraceContext } from './trace-context.js';

/** torch.nn.Linear: y = x W^T + b, weight [out_features, in_features]. */
export class Linear extends UnaryModule {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly hasBias = false,
  ) {
    super();
    this.addParameter('weight', Parameter.zeros([outFeatures, inFeatures]));
    if (hasBias) this.addParameter('bias', Parameter.zeros([outFeatures]));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    const y = x.matmul(ctx.tensor(this.weight('weight')).transpose());
    return this.hasBias ? y.add(ctx.tensor(this.weight('bias'))) : y;
  }
}
