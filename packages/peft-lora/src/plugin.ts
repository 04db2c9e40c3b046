import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { denseLinearDispatcher } from './dense-dispatcher.js';
import { loraMethod } from './lora-method.js';

/** Registers PEFT method 'lora' and the dispatcher that wraps dense Linear and Conv1D layers. */
export const plugin: TunekitPlugin = {
  name: '@tunekit/peft-lora',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.PeftMethod, { useValue: loraMethod });
    container.register(TOKENS.LinearDispatcher, { useValue: denseLinearDispatcher });
  },
};
