import {
  Conv1D,
  type HostTensor,
  type Linear,
  type Module,
  type Parameter,
  type Tensor,
  type TraceContext,
} from '@tunekit/core';

/**
 * What a LoRA layer needs of the module it wraps besides running it: its sizes and its weight, as
 * stored. A dispatcher gives one per kind of base module (dense here; a quantized base would
 * dequantize in `traceWeight` and `hostWeight`).
 */
export interface LoraBase {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** The weight is stored [in, out] (GPT-2's Conv1D), PEFT's `fan_in_fan_out`. */
  readonly fanInFanOut: boolean;
  /** The stored weight as a traced tensor (DoRA reads it in every forward). */
  traceWeight(ctx: TraceContext): Tensor;
  /** The stored weight on the host, which merging reads... */
  hostWeight(): HostTensor;
  /** ...and replaces. */
  setHostWeight(weight: HostTensor): void;
}

/** A torch.nn.Linear ([out, in]) or HF Conv1D ([in, out]) with a dense weight. */
export class DenseLoraBase implements LoraBase {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly fanInFanOut: boolean;
  private readonly weight: Parameter;

  constructor(module: Linear | Conv1D) {
    this.inFeatures = module.inFeatures;
    this.outFeatures = module.outFeatures;
    this.fanInFanOut = module instanceof Conv1D;
    this.weight = weightOf(module);
  }

  traceWeight(ctx: TraceContext): Tensor {
    return ctx.tensor(this.weight);
  }

  hostWeight(): HostTensor {
    return this.weight.value;
  }

  setHostWeight(weight: HostTensor): void {
    this.weight.value = weight;
  }
}

function weightOf(module: Module): Parameter {
  const found = module.namedParameters().find(([name]) => name === 'weight');
  if (!found) throw new Error(`${module.constructor.name} has no weight`);
  return found[1];
}
