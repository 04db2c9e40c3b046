import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { prefixTuningMethod, pTuningV2Method } from './prefix-tuning-method.js';
import { promptTuningMethod } from './prompt-tuning-method.js';

/** Registers PEFT methods 'prompt_tuning', 'prefix_tuning' and its variant 'p_tuning_v2'. */
export const plugin: TunekitPlugin = {
  name: '@tunekit/peft-prefix',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.PeftMethod, { useValue: promptTuningMethod });
    container.register(TOKENS.PeftMethod, { useValue: prefixTuningMethod });
    container.register(TOKENS.PeftMethod, { useValue: pTuningV2Method });
  },
};
