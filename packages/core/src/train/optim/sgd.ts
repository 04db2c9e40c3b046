import type { GraphBuilder } from '../../graph/builder.js';
import type { Tensor } from '../../graph/tensor.js';
import type { Optimizer, OptimizerSlot } from './optimizer.js';

export interface SgdOptions {
  readonly momentum?: number;
  readonly dampening?: number;
  readonly nesterov?: boolean;
}

/**
 * SGD as torch.optim.SGD: g <- g + wd*p (L2, coupled); with momentum,
 * buf <- g on the first step, else momentum*buf + (1-dampening)*g; the step uses
 * g + momentum*buf (nesterov) or buf; p <- p - lr*step.
 */
export function sgd(opts: SgdOptions = {}): Optimizer {
  const momentum = opts.momentum ?? 0;
  const dampening = opts.dampening ?? 0;
  const nesterov = opts.nesterov ?? false;
  return {
    id: 'sgd',
    stateNames: momentum === 0 ? [] : ['momentum_buffer'],
    build(b: GraphBuilder, slots: readonly OptimizerSlot[], scalar: (name: string) => Tensor) {
      const updates: Record<string, Tensor> = {};
      for (const { name, param, grad, lr, weightDecay } of slots) {
        const g = weightDecay === 0 ? grad : grad.add(param.mul(weightDecay));
        let direction = g;
        if (momentum !== 0) {
          const first = scalar('sgd.first_step'); // 1 on the first step, else 0
          const buf = b.input(`${name}.momentum_buffer`, param.shape, param.dtype, 'state');
          const rest = first.neg().add(1);
          const buf1 = buf.mul(rest.mul(momentum)).add(g.mul(first.add(rest.mul(1 - dampening))));
          updates[`${name}.momentum_buffer`] = buf1;
          direction = nesterov ? g.add(buf1.mul(momentum)) : buf1;
        }
        updates[name] = param.sub(direction.mul(lr));
      }
      return updates;
    },
    stepScalars(step: number): Record<string, number> {
      return momentum === 0 ? {} : { 'sgd.first_step': step === 1 ? 1 : 0 };
    },
  };
}
