import { createRunContainer, type RunScope } from '@tunekit/core';
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { TrainingArguments } from './training-arguments.js';

/**
 * The trainer's run-scoped tokens, beside core's `Backend` and `Logger`: a callback plugin's
 * factory resolves the run's training arguments, parsed once with the rest of the config.
 */
export const TRAINER_TOKENS = Object.freeze({
  TrainingArguments: Symbol.for('tunekit.TrainingArguments') as InjectionToken<TrainingArguments>,
});

export interface TrainingRunScope extends RunScope {
  readonly args: TrainingArguments;
}

/**
 * The container of one training run: core's run container (`Backend`, `Logger`; disposing it
 * disposes the backend) with the run's training arguments, from which the registered callback
 * factories configure themselves.
 */
export function createTrainingRun(
  root: DependencyContainer,
  scope: TrainingRunScope,
): DependencyContainer {
  const run = createRunContainer(root, scope);
  run.register(TRAINER_TOKENS.TrainingArguments, { useValue: scope.args });
  return run;
}
