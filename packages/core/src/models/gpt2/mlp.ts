import type { Tensor } from '../../graph/tensor.js';
import { ACTIVATIONS, type ActivationName } from '../../nn/activations.js';
import { Conv1D } from '../../nn/conv1d.js';
import { UnaryModule } from '../../nn/module.js';
import type { TraceContext } from '../../nn/trace-context.js';

/** HF GPT2MLP: c_proj(act(c_fc(x))). */
export class GPT2MLP extends UnaryModule {
  constructor(
    hidden: number,
    inner: number,
    private readonly act: ActivationName,
  ) {
    super();
    this.addModule('c_fc', new Conv1D(hidden, inner));
    this.addModule('c_proj', new Conv1D(inner, hidden));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    return this.sub('c_proj').forward(ctx, ACTIVATIONS[this.act](this.sub('c_fc').forward(ctx, x)));
  }
}
