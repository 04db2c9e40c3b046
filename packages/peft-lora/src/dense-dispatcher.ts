import { denseDispatcher } from '@tunekit/core';
import { DenseLoraBase } from './lora-base.js';
import { type LoraLayerOptions, LoraLinear } from './lora-linear.js';

/**
 * LoRA around a dense torch.nn.Linear or HF Conv1D (PEFT's `dispatch_default`; a Conv1D gets
 * fan_in_fan_out, whatever the config says, as PEFT sets it). Quantized bases register their
 * dispatchers above it.
 */
export const denseLinearDispatcher = denseDispatcher<LoraLayerOptions>(
  'lora',
  (base) => new LoraLinear(base, new DenseLoraBase(base)),
);
