import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { pTuningMethod } from './p-tuning-method.js';
import { prefixTuningMethod, pTuningV2Method } from './prefix-tuning-method.js';
import { promptTuningMethod } from './prompt-tuning-method.js';

/** Registers PEFT methods 'prompt_tuning', 'prefix_tuning' and its variant 'p_tuning_v2', and 'p_tuning'. */
export const plugin: TunekitPlugin = {
  name: '@tunekit/peft-prefix',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.PeftMethod, { useValue: promptTuningMethod });
    container.register(TOKENS.PeftMethod, { useValue: prefixTuningMethod });
    container.register(TOKENS.PeftMethod, { useValue: pTuningV2Method });
    container.register(TOKENS.PeftMethod, { useValue: pTuningMethod });
  },
};
