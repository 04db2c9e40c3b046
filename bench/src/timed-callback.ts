import type { TrainerCallback } from '@tunekit/core';
import type { Stopwatch } from './stopwatch.js';

const HOOKS = [
  'onTrainBegin',
  'onStepEnd',
  'onLog',
  'onEvaluate',
  'onSave',
  'onTrainEnd',
] as const satisfies readonly (keyof TrainerCallback)[];

/** `callback` with the time of each of its hooks added to `watch`. */
export function timedCallback(callback: TrainerCallback, watch: Stopwatch): TrainerCallback {
  const timed: Record<string, unknown> = { id: callback.id };
  for (const hook of HOOKS) {
    const fn = callback[hook] as ((...args: unknown[]) => unknown) | undefined;
    if (fn) timed[hook] = (...args: unknown[]) => watch.time(() => fn.apply(callback, args));
  }
  return timed as unknown as TrainerCallback;
}
