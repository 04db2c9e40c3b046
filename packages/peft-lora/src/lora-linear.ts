import {
  type AdapterLayerOptions,
  adapterRowMask,
  dropoutSeed,
  HostTensor,
  Linear,
  type Module,
  ModuleDict,
  ops,
  type Parameter,
  ParameterDict,
  type Tensor,
  type TraceContext,
  TunerLayer,
  type UnaryModule,
  UserError,
} from '@tunekit/core';
import type { LoraConfig } from './config.js';
import { doraDelta, doraMagnitude } from './dora.js';
import {
  addScaled,
  type Matrix,
  matmul,
  matrixOf,
  rowNorms,
  scaleRows,
  toTensor,
  transpose,
} from './host-matrix.js';
import { initLoraWeights } from './init.js';
import type { LoraBase } from './lora-base.js';

/** One adapter's settings for one layer, as PEFT's `update_layer` receives them. */
export interface LoraLayerOptions extends AdapterLayerOptions {
  readonly r: number;
  readonly lora_alpha: number;
  readonly lora_dropout: number;
  readonly use_rslora: boolean;
  readonly use_dora: boolean;
  readonly init_lora_weights: LoraConfig['init_lora_weights'];
  /** Makes this layer's dropout masks differ from other layers'. */
  readonly dropoutSalt: number;
}

/**
 * A Linear (or Conv1D) with LoRA adapters, PEFT's `lora.Linear`: children `base_layer`, `lora_A`
 * and `lora_B` (a Linear per adapter, so the weights are `lora_A.<adapter>.weight`), and for DoRA
 * `lora_magnitude_vector`. Forward: y = base(x) + dropout(x) A^T B^T * scaling per active adapter,
 * scaling = lora_alpha / r (lora_alpha / sqrt(r) with rsLoRA, Kalajdzievski 2023).
 */
export class LoraLinear extends TunerLayer<LoraLayerOptions> {
  readonly method = 'lora';
  /** DoRA's weight norm at merge time, per merged adapter: unmerge must divide by the same one. */
  private readonly mergeNorms = new Map<string, Float64Array>();

  constructor(
    module: UnaryModule,
    readonly base: LoraBase,
  ) {
    super(module);
    this.addAdapterDict('lora_A', new ModuleDict<Linear>());
    this.addAdapterDict('lora_B', new ModuleDict<Linear>());
    // DoRA's trained magnitude per adapter (PEFT's DoraLinearLayer.weight), saved as `lora_magnitude_vector`
    this.addAdapterDict('lora_magnitude_vector', new ParameterDict());
  }

  protected createAdapter(opts: LoraLayerOptions): void {
    const { adapterName: name, r } = opts;
    if (!(Number.isInteger(r) && r > 0)) {
      throw new UserError(`r should be a positive integer, got ${r}`);
    }
    const { inFeatures, outFeatures } = this.base;
    const { A, B } = initLoraWeights(
      opts.init_lora_weights,
      { r, inFeatures, outFeatures },
      opts.random,
    );
    this.dict('lora_A').set(name, linearWith(inFeatures, r, A));
    this.dict('lora_B').set(name, linearWith(r, outFeatures, B));
    if (opts.use_dora) {
      const BA = matmul(matrixOf(B), matrixOf(A));
      const m = doraMagnitude(this.weightOutIn(), BA, scalingOf(opts));
      this.adapterDict<ParameterDict>('lora_magnitude_vector').set(
        name,
        HostTensor.from('f32', [outFeatures], m),
      );
    }
  }

  /** The scaling of adapter `name`: lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA. */
  scaling(name: string): number {
    return scalingOf(this.optionsOf(name));
  }

  /**
   * W += scaling * B A; for DoRA W = m / ||W + scaling * B A|| * (W + scaling * B A), remembering the
   * norm for unmerge (PEFT's `Linear.merge`). Computed in float64, stored in W's dtype.
   */
  protected mergeAdapter(name: string): void {
    let merged = addScaled(this.weightOutIn(), this.deltaWeight(name));
    if (this.optionsOf(name).use_dora) {
      const norm = rowNorms(merged);
      this.mergeNorms.set(name, norm);
      const m = this.magnitude(name).value.toFloat64();
      merged = scaleRows(merged, (row) => m[row] / norm[row]);
    }
    this.setWeightOutIn(merged);
  }

  /** The inverse of `merge`: W = W' / (m / n) - scaling * B A for DoRA, W' - scaling * B A otherwise. */
  protected unmergeAdapter(name: string): void {
    let weight = this.weightOutIn();
    if (this.optionsOf(name).use_dora) {
      const norm = this.mergeNorms.get(name) as Float64Array;
      this.mergeNorms.delete(name);
      const m = this.magnitude(name).value.toFloat64();
      weight = scaleRows(weight, (row) => norm[row] / m[row]);
    }
    this.setWeightOutIn(addScaled(weight, this.deltaWeight(name), -1));
  }

  /** LoRA's change is added per row, so a row mask leaves the other rows at the base's output. */
  override supportsPerRowAdapters(): boolean {
    return true;
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    const result = this.baseLayer().forward(ctx, x);
    let out = result;
    for (const name of this.forwardAdapters()) {
      const opts = this.optionsOf(name);
      const scaling = scalingOf(opts);
      const A = ctx.tensor(this.loraWeight('lora_A', name));
      const B = ctx.tensor(this.loraWeight('lora_B', name));
      let xa = x.cast(A.dtype);
      if (this.training && opts.lora_dropout > 0)
        xa = ops.dropout(xa, dropoutSeed(ctx.b, opts.dropoutSalt), opts.lora_dropout);
      const delta = opts.use_dora
        ? doraDelta(
            xa,
            { A, B, scaling },
            this.traceWeightOutIn(ctx).cast(A.dtype),
            ctx.tensor(this.magnitude(name)),
          )
        : // scaled at rank r, not on the [.., out] result: the same product, two passes fewer
          xa.matmul(A.transpose()).mul(scaling).matmul(B.transpose());
      // a batch that mixes adapters: this one's change only on the rows it answers
      const masked = this.perRowAdapters
        ? delta.mul(adapterRowMask(ctx.b, name, x.shape[0], delta.shape.length).cast(delta.dtype))
        : delta;
      out = out.add(masked.cast(result.dtype));
    }
    return out;
  }

  /** scaling * B A as [out, in] (PEFT's `get_delta_weight`, before its fan_in_fan_out transpose). */
  private deltaWeight(name: string): Matrix {
    const A = matrixOf(this.loraWeight('lora_A', name).value);
    const B = matrixOf(this.loraWeight('lora_B', name).value);
    const BA = matmul(B, A);
    const s = this.scaling(name);
    return { ...BA, data: BA.data.map((v) => v * s) };
  }

  private weightOutIn(): Matrix {
    const w = matrixOf(this.base.hostWeight());
    return this.base.fanInFanOut ? transpose(w) : w;
  }

  private setWeightOutIn(w: Matrix): void {
    const dtype = this.base.hostWeight().dtype;
    this.base.setHostWeight(toTensor(this.base.fanInFanOut ? transpose(w) : w, dtype));
  }

  private traceWeightOutIn(ctx: TraceContext): Tensor {
    const w = this.base.traceWeight(ctx);
    return this.base.fanInFanOut ? w.transpose() : w;
  }

  private dict(name: 'lora_A' | 'lora_B'): ModuleDict<Linear> {
    return this.adapterDict<ModuleDict<Linear>>(name);
  }

  private loraWeight(dict: 'lora_A' | 'lora_B', name: string): Parameter {
    return weightOf(this.dict(dict).get(name) as Linear);
  }

  private magnitude(name: string): Parameter {
    return this.adapterParameter('lora_magnitude_vector', name);
  }
}

function scalingOf(opts: LoraLayerOptions): number {
  return opts.use_rslora ? opts.lora_alpha / Math.sqrt(opts.r) : opts.lora_alpha / opts.r;
}

/** A bias-free Linear holding `weight`. */
function linearWith(inFeatures: number, outFeatures: number, weight: HostTensor): Linear {
  const linear = new Linear(inFeatures, outFeatures);
  linear.loadStateDict(new Map([['weight', weight]]));
  return linear;
}

function weightOf(module: Module): Parameter {
  return (module.namedParameters().find(([name]) => name === 'weight') as [string, Parameter])[1];
}
