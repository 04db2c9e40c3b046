import { adamw } from './adamw.js';
import type { AnyOptimizer } from './host-optimizer.js';

/** The hyperparameters TrainingArguments gives every optimizer (`adam_beta1`, `adam_beta2`, `adam_epsilon`). */
export interface OptimizerArgs {
  readonly betas: readonly [number, number];
  readonly eps: number;
}

/**
 * How a plugin offers an optimizer under transformers' `optim` name (`adamw_torch`, `adamw_8bit`):
 * registered under TOKENS.OptimizerFactory, found by `id`. Learning rate and weight decay come per
 * parameter group at each step.
 */
export interface OptimizerFactory {
  readonly id: string;
  create(args: OptimizerArgs): AnyOptimizer;
}

/** transformers' default `optim`: torch.optim.AdamW, as a graph fragment whose state stays on the device. */
export const ADAMW_TORCH: OptimizerFactory = Object.freeze({
  id: 'adamw_torch',
  create: (args: OptimizerArgs) => adamw({ betas: args.betas, eps: args.eps }),
});
