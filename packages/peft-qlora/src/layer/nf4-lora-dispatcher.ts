import type { LinearDispatcher } from '@tunekit/core';
import { type LoraLayerOptions, LoraLinear } from '@tunekit/peft-lora';
import { Linear4bit } from './linear-4bit.js';
import { Linear4bitLoraBase } from './linear-4bit-lora-base.js';

/**
 * LoRA around a Linear4bit (PEFT's `dispatch_bnb_4bit`), with peft-lora's own layer: tried before
 * the dense dispatcher (priority 0), which does not accept it.
 */
export const nf4LoraDispatcher: LinearDispatcher<LoraLayerOptions> = {
  id: '4bit',
  method: 'lora',
  priority: 10,
  accepts: (target) => target instanceof Linear4bit,
  create(target, options) {
    if (!(target instanceof Linear4bit))
      throw new Error(`the 4-bit lora dispatcher was given a ${target.constructor.name}`);
    const layer = new LoraLinear(target, new Linear4bitLoraBase(target));
    layer.updateLayer(options);
    return layer;
  },
};
