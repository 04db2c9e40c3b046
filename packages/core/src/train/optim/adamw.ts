import type { GraphBuilder } from '../../graph/builder.js';
import type { Tensor } from '../../graph/tensor.js';
import type { Optimizer, OptimizerSlot } from './optimizer.js';

export interface AdamWOptions {
  /** PyTorch defaults: betas (0.9, 0.999), eps 1e-8. Weight decay is set per parameter group. */
  readonly betas?: readonly [number, number];
  readonly eps?: number;
}

/**
 * AdamW (Loshchilov & Hutter) exactly as torch.optim.AdamW computes it:
 *   p <- p * (1 - lr*wd)                              (decoupled weight decay)
 *   m <- b1*m + (1-b1)*g ;  v <- b2*v + (1-b2)*g^2
 *   p <- p - (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
 */
export function adamw(opts: AdamWOptions = {}): Optimizer {
  const [beta1, beta2] = opts.betas ?? [0.9, 0.999];
  const eps = opts.eps ?? 1e-8;
  return {
    id: 'adamw',
    stateNames: ['exp_avg', 'exp_avg_sq'],
    build(b: GraphBuilder, slots: readonly OptimizerSlot[], scalar: (name: string) => Tensor) {
      const bc1 = scalar('adamw.bias_correction1');
      const sqrtBc2 = scalar('adamw.sqrt_bias_correction2');
      const updates: Record<string, Tensor> = {};
      for (const { name, param, grad, lr, weightDecay } of slots) {
        const m = b.input(`${name}.exp_avg`, param.shape, param.dtype, 'state');
        const v = b.input(`${name}.exp_avg_sq`, param.shape, param.dtype, 'state');
        const decayed = weightDecay === 0 ? param : param.mul(lr.mul(-weightDecay).add(1));
        const m1 = m.mul(beta1).add(grad.mul(1 - beta1));
        const v1 = v.mul(beta2).add(grad.mul(grad).mul(1 - beta2));
        const denom = v1.sqrt().div(sqrtBc2).add(eps);
        updates[name] = decayed.sub(m1.div(denom).mul(lr.div(bc1)));
        updates[`${name}.exp_avg`] = m1;
        updates[`${name}.exp_avg_sq`] = v1;
      }
      return updates;
    },
    stepScalars(step: number) {
      return {
        'adamw.bias_correction1': 1 - beta1 ** step,
        'adamw.sqrt_bias_correction2': Math.sqrt(1 - beta2 ** step),
      };
    },
  };
}
