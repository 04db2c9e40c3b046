import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { denseIa3Dispatcher, ia3Method } from './ia3-method.js';

/** Registers PEFT method 'ia3' and the dispatcher that wraps dense Linear and Conv1D layers. */
export const plugin: TunekitPlugin = {
  name: 'tunekit-peft-ia3',
  coreRange: '^0.1.0',
  register(container) {
    container.register(TOKENS.PeftMethod, { useValue: ia3Method });
    container.register(TOKENS.LinearDispatcher, { useValue: denseIa3Dispatcher });
  },
};
