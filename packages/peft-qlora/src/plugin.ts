import { TOKENS, type TunekitPlugin } from '@tunekit/core';
import { bitsAndBytesQuantizer, nf4LoraDispatcher } from './layer/index.js';
import { BNB_OPTIMIZERS } from './optim/index.js';

/**
 * The QLoRA plugin: the bitsandbytes quantizer behind `load_in_4bit` (decoder Linears become
 * Linear4bit as the model loads), LoRA's dispatcher for Linear4bit bases (tried before the dense
 * one), and bitsandbytes' 8-bit and paged AdamW under transformers' `optim` names.
 */
export const plugin: TunekitPlugin = {
  name: '@tunekit/peft-qlora',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    container.register(TOKENS.ModelQuantizer, { useValue: bitsAndBytesQuantizer });
    container.register(TOKENS.LinearDispatcher, { useValue: nf4LoraDispatcher });
    for (const factory of BNB_OPTIMIZERS)
      container.register(TOKENS.OptimizerFactory, { useValue: factory });
  },
};
