import type { LrSchedulerType } from './training-arguments.js';

export interface LrSchedule {
  readonly type: LrSchedulerType;
  readonly warmupSteps: number;
  readonly totalSteps: number;
}

/**
 * The factor on the base learning rate for the optimizer step taken after `step` completed steps,
 * as transformers' `get_scheduler` lambdas (optimization.py): the first step uses factor(0), so a
 * warmup starts at 0. Cosine is the half wave (num_cycles 0.5); `constant` has no warmup.
 */
export function lrFactor(schedule: LrSchedule, step: number): number {
  const { type, warmupSteps: w, totalSteps: n } = schedule;
  if (type === 'constant') return 1;
  if (step < w) return step / Math.max(1, w);
  const progress = (step - w) / Math.max(1, n - w);
  switch (type) {
    case 'constant_with_warmup':
      return 1;
    case 'linear':
      return Math.max(0, (n - step) / Math.max(1, n - w));
    case 'cosine':
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}

/** transformers' `get_warmup_steps`: warmup_steps when > 0, else ceil(total * warmup_ratio). */
export function warmupStepsFor(
  args: { readonly warmup_steps: number; readonly warmup_ratio: number },
  totalSteps: number,
): number {
  return args.warmup_steps > 0 ? args.warmup_steps : Math.ceil(totalSteps * args.warmup_ratio);
}
