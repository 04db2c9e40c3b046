import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { DATASET_FORMATS } from './data/index.js';
import { BUILTIN_METRICS } from './eval/index.js';
import { BUILTIN_CALLBACK_FACTORIES, TRAINER_TOKENS } from './train/index.js';

/**
 * Registers the dataset formats, metrics and built-in trainer callbacks of this package. Each
 * folder adds its registrations here.
 */
export const plugin: TunekitPlugin = {
  name: '@tunekit/trainer',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    for (const format of DATASET_FORMATS)
      container.register(TOKENS.DatasetFormat, { useValue: format });
    for (const metric of BUILTIN_METRICS) container.register(TOKENS.Metric, { useValue: metric });
    // factories: each run's container (createTrainingRun) makes fresh callbacks from its arguments
    for (const make of BUILTIN_CALLBACK_FACTORIES)
      container.register(TOKENS.TrainerCallback, {
        useFactory: (c) =>
          make(c.resolve(TRAINER_TOKENS.TrainingArguments), c.resolve(TOKENS.Logger)),
      });
  },
};
