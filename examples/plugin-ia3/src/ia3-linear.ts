import {
  AdapterLayer,
  Conv1D,
  HostTensor,
  type Linear,
  Module,
  ModuleDict,
  Parameter,
  randomNormal,
  type Tensor,
  type TraceContext,
  UserError,
} from '@tunekit/core';

/** One adapter's settings for one layer, as PEFT's `update_layer` receives them. */
export interface Ia3LayerOptions {
  readonly adapterName: string;
  /** Scale the input (PEFT's `is_feedforward`) instead of the output. */
  readonly isFeedforward: boolean;
  readonly init_ia3_weights: boolean;
  /** Draws the vector when `init_ia3_weights` is false. */
  readonly random: () => number;
}

/** One adapter's learned vector, a module so that a ModuleDict holds one per adapter. */
class Ia3Vector extends Module {
  readonly l: Parameter;

  constructor(value: HostTensor) {
    super();
    this.l = this.addParameter('weight', new Parameter(value));
  }
}

/**
 * A Linear (or Conv1D) with (IA)³ adapters, PEFT's `ia3.Linear`: y = base(x) ⊙ l with l
 * [out_features, 1], or for a feed-forward layer y = base(x ⊙ l) with l [1, in_features]. The
 * vectors of the active adapters multiply (PEFT's `ia3_scaling *= ...`).
 */
export class Ia3Linear extends AdapterLayer {
  readonly method = 'ia3';
  private readonly merged: string[] = [];

  constructor(
    base: Linear | Conv1D,
    readonly isFeedforward: boolean,
  ) {
    super();
    this.addModule('base_layer', base);
    this.addModule('ia3_l', new ModuleDict<Ia3Vector>());
  }

  /** Adds an adapter (PEFT's `update_layer`): ones, or standard-normal draws without init_ia3_weights. */
  updateLayer(opts: Ia3LayerOptions): void {
    if (this.vectors().has(opts.adapterName))
      throw new UserError(`this layer already has adapter '${opts.adapterName}'`);
    const { inFeatures, outFeatures } = this.baseLayer();
    const shape = this.isFeedforward ? [1, inFeatures] : [outFeatures, 1];
    const size = shape[0] * shape[1];
    const values = opts.init_ia3_weights
      ? new Float64Array(size).fill(1)
      : randomNormal(size, opts.random);
    this.vectors().set(opts.adapterName, new Ia3Vector(HostTensor.from('f32', shape, values)));
  }

  adapterNames(): string[] {
    return this.vectors().keys();
  }

  adapterState(name: string): [string, Parameter][] {
    const vector = this.vectors().get(name);
    return vector ? [['ia3_l', vector.l]] : [];
  }

  deleteAdapter(name: string): void {
    if (this.merged.includes(name))
      throw new UserError(`adapter '${name}' is merged; unmerge it before deleting it`);
    this.setModule('ia3_l', this.vectors().without(name));
  }

  /** W ⊙ l: rows (outputs) scaled, or columns (inputs) for a feed-forward layer; the bias with the outputs. */
  merge(names: readonly string[]): void {
    for (const name of names) {
      const vector = this.vectors().get(name);
      if (!vector || this.merged.includes(name)) continue;
      this.scaleBase(vector.l.value.toFloat64(), (w, s) => w * s);
      this.merged.push(name);
    }
  }

  /** W / (l + 1e-8), last merged first: PEFT's unmerge, inexact where l is near zero. */
  unmerge(): void {
    for (let name = this.merged.pop(); name !== undefined; name = this.merged.pop()) {
      const l = (this.vectors().get(name) as Ia3Vector).l.value.toFloat64();
      this.scaleBase(l, (w, s) => w / (s + 1e-8));
    }
  }

  mergedAdapters(): readonly string[] {
    return this.merged;
  }

  baseLayer(): Linear | Conv1D {
    return this.sub<Linear | Conv1D>('base_layer');
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    const base = this.baseLayer();
    const active = this.enabled && this.merged.length === 0 ? this.activeAdapters : [];
    const features = this.isFeedforward ? base.inFeatures : base.outFeatures;
    const vectors = active.flatMap((name) => {
      const vector = this.vectors().get(name);
      return vector ? [ctx.tensor(vector.l).reshape([features])] : [];
    });
    if (vectors.length === 0) return base.forward(ctx, x);
    const l = vectors.reduce((a, b) => a.mul(b));
    if (this.isFeedforward) return base.forward(ctx, x.cast(l.dtype).mul(l).cast(x.dtype));
    const y = base.forward(ctx, x);
    return y.cast(l.dtype).mul(l).cast(y.dtype);
  }

  /** Applies `op(w, l[i])` to each base weight, i its input or output index; to the bias unless feed-forward. */
  private scaleBase(l: Float64Array, op: (w: number, s: number) => number): void {
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

  private vectors(): ModuleDict<Ia3Vector> {
    return this.sub<ModuleDict<Ia3Vector>>('ia3_l');
  }
}

/** `p`'s value mapped elementwise in float64, stored in its dtype. */
function rescaled(p: Parameter, f: (v: number, i: number) => number): HostTensor {
  return HostTensor.from(p.dtype, p.shape, p.value.toFloat64().map(f));
}
