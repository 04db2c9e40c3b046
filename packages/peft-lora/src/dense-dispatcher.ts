import type { LinearDispatcher } from '@tunekit/core';
import { DenseLoraBase } from './lora-base.js';
import { type LoraLayerOptions, LoraLinear } from './lora-linear.js';

/**
 * LoRA around a dense torch.nn.Linear or HF Conv1D (PEFT's `dispatch_default`; a Conv1D gets
 * fan_in_fan_out, whatever the config says, as PEFT sets it). Priority 0: quantized bases register
 * their dispatchers above it.
 */
export const denseLinearDispatcher: LinearDispatcher<LoraLayerOptions> = {
  id: 'dense',
  method: 'lora',
  priority: 0,
  accepts: (target) => DenseLoraBase.accepts(target),
  create(target, options) {
    if (!DenseLoraBase.accepts(target))
      throw new Error('dense dispatcher given a non-linear module');
    const layer = new LoraLinear(target, new DenseLoraBase(target));
    layer.updateLayer(options);
    return layer;
  },
};
