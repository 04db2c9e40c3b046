import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { promptTuningMethod } from './prompt-tuning-method.js';

/** Registers PEFT method 'prompt_tuning'. */
export const plugin: TunekitPlugin = {
  name: '@tunekit/peft-prefix',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.PeftMethod, { useValue: promptTuningMethod });
  },
};
