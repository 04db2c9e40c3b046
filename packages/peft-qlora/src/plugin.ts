import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { BNB_OPTIMIZERS } from './optim/index.js';

/**
 * The QLoRA plugin: bitsandbytes' 8-bit and paged AdamW under transformers' `optim` names. The
 * 4-bit Linear dispatcher and `load_in_4bit` register here when they land.
 */
export const plugin: TunekitPlugin = {
  name: '@tunekit/peft-qlora',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    for (const factory of BNB_OPTIMIZERS)
      container.register(TOKENS.OptimizerFactory, { useValue: factory });
  },
};
