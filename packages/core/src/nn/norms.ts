import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';
import { HostTensor } from '../tensor/index.js';
import { UnaryModule } from './module.js';
import { Parameter } from './parameter.js';
import type { TraceContext } from './trace-context.js';

/** HF LlamaRMSNorm: weight * x / sqrt(mean(x^2) + eps). */
export class RMSNorm extends UnaryModule {
  constructor(
    readonly size: number,
    readonly eps = 1e-6,
  ) {
    super();
    this.addParameter(
      'weight',
      new Parameter(HostTensor.from('f32', [size], new Float32Array(size).fill(1))),
    );
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    return ops.rmsNorm(x, ctx.tensor(this.weight('weight')), this.eps);
  }
}

/** torch.nn.LayerNorm over the last axis, with weight and bias. */
export class LayerNorm extends UnaryModule {
  constructor(
    readonly size: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.addParameter(
      'weight',
      new Parameter(HostTensor.from('f32', [size], new Float32Array(size).fill(1))),
    );
    this.addParameter('bias', Parameter.zeros([size]));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    return ops.layerNorm(
      x,
      ctx.tensor(this.weight('weight')),
      ctx.tensor(this.weight('bias')),
      this.eps,
    );
  }
}
