import type { HostTensor, Tensor, TraceContext } from '@tunekit/core';
import type { LoraBase } from '@tunekit/peft-lora';
import type { Linear4bit } from './linear-4bit.js';

/**
 * A Linear4bit as LoRA's base (PEFT's `lora.bnb.Linear4bit`): DoRA and merging read its weight
 * dequantized; merging writes it back quantized again, as PEFT's merge into a 4-bit layer does, so
 * the merged weight carries the 4-bit rounding.
 */
export class Linear4bitLoraBase implements LoraBase {
  readonly fanInFanOut = false;

  constructor(private readonly layer: Linear4bit) {}

  get inFeatures(): number {
    return this.layer.inFeatures;
  }

  get outFeatures(): number {
    return this.layer.outFeatures;
  }

  traceWeight(ctx: TraceContext): Tensor {
    return this.layer.traceWeight(ctx);
  }

  hostWeight(): HostTensor {
    return this.layer.dequantizedWeight();
  }

  setHostWeight(weight: HostTensor): void {
    this.layer.setWeight(weight);
  }
}
