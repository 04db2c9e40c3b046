import {
  type AdapterLayerOptions,
  Conv1D,
  HostTensor,
  type Linear,
  type Parameter,
  ParameterDict,
  randomNormal,
  type Tensor,
  type TraceContext,
  TunerLayer,
} from '@tunekit/core';

/** One adapter's settings for one layer, as PEFT's `update_layer` receives them. */
export interface Ia3LayerOptions extends AdapterLayerOptions {
  /** Scale the input (PEFT's `is_feedforward`) instead of the output. */
  readonly isFeedforward: boolean;
  readonly init_ia3_weights: boolean;
}

/**
 * A Linear (or Conv1D) with (IA)³ adapters, PEFT's `ia3.Linear`: y = base(x) ⊙ l with l
 * [out_features, 1], or for a feed-forward layer y = base(x ⊙ l) with l [1, in_features]. The
 * vectors of the active adapters multiply (PEFT's `ia3_scaling *= ...`).
 */
export class Ia3Linear extends TunerLayer<Ia3LayerOptions, Linear | Conv1D> {
  readonly method = 'ia3';

  constructor(
    base: Linear | Conv1D,
    readonly isFeedforward: boolean,
  ) {
    super(base);
    this.addAdapterDict('ia3_l', new ParameterDict());
  }

  /** Ones, or standard-normal draws without init_ia3_weights. */
  protected createAdapter(opts: Ia3LayerOptions): void {
    const { inFeatures, outFeatures } = this.baseLayer();
    const shape = this.isFeedforward ? [1, inFeatures] : [outFeatures, 1];
    const size = shape[0] * shape[1];
    const values = opts.init_ia3_weights
      ? new Float64Array(size).fill(1)
      : randomNormal(size, opts.random);
    this.adapterDict<ParameterDict>('ia3_l').set(
      opts.adapterName,
      HostTensor.from('f32', shape, values),
    );
  }

  /** W ⊙ l: rows (outputs) scaled, or columns (inputs) for a feed-forward layer; the bias with the outputs. */
  protected mergeAdapter(name: string): void {
    this.scaleBase(name, (w, s) => w * s);
  }

  /** W / (l + 1e-8): PEFT's unmerge, inexact where l is near zero. */
  protected unmergeAdapter(name: string): void {
    this.scaleBase(name, (w, s) => w / (s + 1e-8));
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    const base = this.baseLayer();
    const features = this.isFeedforward ? base.inFeatures : base.outFeatures;
    const vectors = this.forwardAdapters().map((name) =>
      ctx.tensor(this.adapterParameter('ia3_l', name)).reshape([features]),
    );
    if (vectors.length === 0) return base.forward(ctx, x);
    const l = vectors.reduce((a, b) => a.mul(b));
    if (this.isFeedforward) return base.forward(ctx, x.cast(l.dtype).mul(l).cast(x.dtype));
    const y = base.forward(ctx, x);
    return y.cast(l.dtype).mul(l).cast(y.dtype);
  }

  /** Applies `op(w, l[i])` to each base weight, i its input or output index; to the bias unless feed-forward. */
  private scaleBase(name: string, op: (w: number, s: number) => number): void {
    const l = this.adapterParameter('ia3_l', name).value.toFloat64();
    const params = new Map(this.baseLayer().namedParameters());
    const weight = params.get('weight') as Parameter;
    const cols = weight.shape[1];
    // stored [out, in], or [in, out] by a Conv1D (fan_in_fan_out); l runs over in or out
    const alongRows = this.isFeedforward === this.baseLayer() instanceof Conv1D;
    const index = (i: number) => (alongRows ? Math.floor(i / cols) : i % cols);
    weight.value = rescaled(weight, (w, i) => op(w, l[index(i)]));
    const bias = params.get('bias');
    if (bias && !this.isFeedforward) bias.value = rescaled(bias, (b, i) => op(b, l[i]));
  }
}

/** `p`'s value mapped elementwise in float64, stored in its dtype. */
function rescaled(p: Parameter, f: (v: number, i: number) => number): HostTensor {
  return HostTensor.from(p.dtype, p.shape, p.value.toFloat64().map(f));
}
