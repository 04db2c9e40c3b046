import { TOKENS } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import {
  parseTrainingArguments,
  pickTrainingArguments,
  type TrainingArguments,
} from './training-arguments.js';

/**
 * The training arguments of the run `container` belongs to: the training-argument keys of its
 * RunConfig (a flat config, as TRL's config files are), defaults for the rest.
 */
export function runTrainingArguments(container: DependencyContainer): TrainingArguments {
  const config = container.isRegistered(TOKENS.RunConfig, true)
    ? container.resolve(TOKENS.RunConfig)
    : {};
  return parseTrainingArguments(pickTrainingArguments(config), 'run config');
}
