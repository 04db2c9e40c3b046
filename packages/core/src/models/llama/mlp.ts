import type { Tensor } from '../../graph/tensor.js';
import { ACTIVATIONS } from '../../nn/activations.js';
import { Linear } from '../../nn/linear.js';
import { UnaryModule } from '../../nn/module.js';
import type { TraceContext } from '../../nn/trace-context.js';
import type { LlamaArchitecture } from './architecture.js';

/** HF LlamaMLP (SwiGLU with silu): down_proj(act(gate_proj(x)) * up_proj(x)). */
export class LlamaMLP extends UnaryModule {
  constructor(private readonly arch: LlamaArchitecture) {
    super();
    const { hiddenSize, intermediateSize, mlpBias } = arch;
    this.addModule('gate_proj', new Linear(hiddenSize, intermediateSize, mlpBias));
    this.addModule('up_proj', new Linear(hiddenSize, intermediateSize, mlpBias));
    this.addModule('down_proj', new Linear(intermediateSize, hiddenSize, mlpBias));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    const gate = this.sub('gate_proj').forward(ctx, x);
    const up = this.sub('up_proj').forward(ctx, x);
    // the backward recomputes act(gate) * up from gate and up rather than keeping act(gate), its
    // inner values and the product alive from the forward: three [tokens, intermediate] tensors a layer
    const h = ctx.b.recompute(() => ACTIVATIONS[this.arch.hiddenAct](gate).mul(up));
    return this.sub('down_proj').forward(ctx, h);
  }
}
