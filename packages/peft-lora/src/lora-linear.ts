import {
  AdapterLayer,
  dropoutSeed,
  HostTensor,
  Linear,
  Module,
  ModuleDict,
  ops,
  Parameter,
  type Tensor,
  type TraceContext,
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
export interface LoraLayerOptions {
  readonly adapterName: string;
  readonly r: number;
  readonly lora_alpha: number;
  readonly lora_dropout: number;
  readonly use_rslora: boolean;
  readonly use_dora: boolean;
  readonly init_lora_weights: LoraConfig['init_lora_weights'];
  /** Draws the initial weights. */
  readonly random: () => number;
  /** Makes this layer's dropout masks differ from other layers'. */
  readonly dropoutSalt: number;
}

interface AdapterSettings {
  readonly scaling: number;
  readonly dropout: number;
  readonly useDora: boolean;
  readonly salt: number;
}

/** DoRA's trained magnitude of one adapter, saved as `lora_magnitude_vector` (PEFT's DoraLinearLayer.weight). */
class MagnitudeVector extends Module {
  readonly magnitude: Parameter;

  constructor(value: HostTensor) {
    super();
    this.magnitude = this.addParameter('weight', new Parameter(value));
  }
}

/**
 * A Linear (or Conv1D) with LoRA adapters, PEFT's `lora.Linear`: children `base_layer`, `lora_A`
 * and `lora_B` (a Linear per adapter, so the weights are `lora_A.<adapter>.weight`), and for DoRA
 * `lora_magnitude_vector`. Forward: y = base(x) + dropout(x) A^T B^T * scaling per active adapter,
 * scaling = lora_alpha / r (lora_alpha / sqrt(r) with rsLoRA, Kalajdzievski 2023).
 */
export class LoraLinear extends AdapterLayer {
  readonly method = 'lora';
  private readonly settings = new Map<string, AdapterSettings>();
  private readonly merged: string[] = [];
  /** DoRA's weight norm at merge time, per merged adapter: unmerge must divide by the same one. */
  private readonly mergeNorms = new Map<string, Float64Array>();

  constructor(
    module: UnaryModule,
    readonly base: LoraBase,
  ) {
    super();
    this.addModule('base_layer', module);
    this.addModule('lora_A', new ModuleDict<Linear>());
    this.addModule('lora_B', new ModuleDict<Linear>());
    this.addModule('lora_magnitude_vector', new ModuleDict<MagnitudeVector>());
  }

  /** Adds an adapter (PEFT's `update_layer`). */
  updateLayer(opts: LoraLayerOptions): void {
    const { adapterName: name, r } = opts;
    if (!(Number.isInteger(r) && r > 0)) {
      throw new UserError(`r should be a positive integer, got ${r}`);
    }
    if (this.settings.has(name)) throw new UserError(`this layer already has adapter '${name}'`);
    const { inFeatures, outFeatures } = this.base;
    const scaling = opts.use_rslora ? opts.lora_alpha / Math.sqrt(r) : opts.lora_alpha / r;
    const { A, B } = initLoraWeights(
      opts.init_lora_weights,
      { r, inFeatures, outFeatures },
      opts.random,
    );
    this.dict('lora_A').set(name, linearWith(inFeatures, r, A));
    this.dict('lora_B').set(name, linearWith(r, outFeatures, B));
    if (opts.use_dora) {
      const m = doraMagnitude(this.weightOutIn(), matmul(matrixOf(B), matrixOf(A)), scaling);
      this.dict<MagnitudeVector>('lora_magnitude_vector').set(
        name,
        new MagnitudeVector(HostTensor.from('f32', [outFeatures], m)),
      );
    }
    this.settings.set(name, {
      scaling,
      dropout: opts.lora_dropout,
      useDora: opts.use_dora,
      salt: opts.dropoutSalt,
    });
  }

  adapterNames(): string[] {
    return [...this.settings.keys()];
  }

  /** The scaling of adapter `name`: lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA. */
  scaling(name: string): number {
    return this.setting(name).scaling;
  }

  adapterState(name: string): [string, Parameter][] {
    const settings = this.settings.get(name);
    if (!settings) return [];
    const state: [string, Parameter][] = [
      ['lora_A.weight', this.loraWeight('lora_A', name)],
      ['lora_B.weight', this.loraWeight('lora_B', name)],
    ];
    // PEFT saves DoRA's magnitude without the '.weight' of its DoraLinearLayer
    if (settings.useDora) state.push(['lora_magnitude_vector', this.magnitude(name)]);
    return state;
  }

  deleteAdapter(name: string): void {
    if (!this.settings.has(name)) return;
    if (this.merged.includes(name)) {
      throw new UserError(`adapter '${name}' is merged; unmerge it before deleting it`);
    }
    for (const dict of ['lora_A', 'lora_B', 'lora_magnitude_vector'])
      this.setModule(dict, this.dict(dict).without(name));
    this.settings.delete(name);
  }

  mergedAdapters(): readonly string[] {
    return this.merged;
  }

  baseLayer(): Module {
    return this.sub('base_layer');
  }

  /**
   * W += scaling * B A; for DoRA W = m / ||W + scaling * B A|| * (W + scaling * B A), remembering the
   * norm for unmerge (PEFT's `Linear.merge`). Computed in float64, stored in W's dtype.
   */
  merge(names: readonly string[]): void {
    for (const name of names) {
      if (!this.settings.has(name) || this.merged.includes(name)) continue;
      const weight = this.weightOutIn();
      const delta = this.deltaWeight(name);
      let merged = addScaled(weight, delta);
      if (this.setting(name).useDora) {
        const norm = rowNorms(merged);
        this.mergeNorms.set(name, norm);
        const m = this.magnitude(name).value.toFloat64();
        merged = scaleRows(merged, (row) => m[row] / norm[row]);
      }
      this.setWeightOutIn(merged);
      this.merged.push(name);
    }
  }

  /** The inverse of `merge`: W = W' / (m / n) - scaling * B A for DoRA, W' - scaling * B A otherwise. */
  unmerge(): void {
    while (this.merged.length > 0) {
      const name = this.merged.pop() as string;
      let weight = this.weightOutIn();
      if (this.setting(name).useDora) {
        const norm = this.mergeNorms.get(name) as Float64Array;
        this.mergeNorms.delete(name);
        const m = this.magnitude(name).value.toFloat64();
        weight = scaleRows(weight, (row) => norm[row] / m[row]);
      }
      this.setWeightOutIn(addScaled(weight, this.deltaWeight(name), -1));
    }
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    const result = this.sub('base_layer').forward(ctx, x);
    if (!this.enabled || this.merged.length > 0) return result;
    let out = result;
    for (const name of this.activeAdapters) {
      const settings = this.settings.get(name);
      if (!settings) continue;
      const A = ctx.tensor(this.loraWeight('lora_A', name));
      const B = ctx.tensor(this.loraWeight('lora_B', name));
      let xa = x.cast(A.dtype);
      if (this.training && settings.dropout > 0)
        xa = ops.dropout(xa, dropoutSeed(ctx.b, settings.salt), settings.dropout);
      const delta = settings.useDora
        ? doraDelta(
            xa,
            { A, B, scaling: settings.scaling },
            this.traceWeightOutIn(ctx).cast(A.dtype),
            ctx.tensor(this.magnitude(name)),
          )
        : xa.matmul(A.transpose()).matmul(B.transpose()).mul(settings.scaling);
      out = out.add(delta.cast(result.dtype));
    }
    return out;
  }

  /** scaling * B A as [out, in] (PEFT's `get_delta_weight`, before its fan_in_fan_out transpose). */
  private deltaWeight(name: string): Matrix {
    const A = matrixOf(this.loraWeight('lora_A', name).value);
    const B = matrixOf(this.loraWeight('lora_B', name).value);
    const BA = matmul(B, A);
    const s = this.setting(name).scaling;
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

  private setting(name: string): AdapterSettings {
    const settings = this.settings.get(name);
    if (!settings) throw new UserError(`this LoRA layer has no adapter '${name}'`);
    return settings;
  }

  private dict<M extends Module = Linear>(name: string): ModuleDict<M> {
    return this.sub<ModuleDict<M>>(name);
  }

  private loraWeight(dict: 'lora_A' | 'lora_B', name: string): Parameter {
    return weightOf(this.dict(dict).get(name) as Linear);
  }

  private magnitude(name: string): Parameter {
    return (this.dict<MagnitudeVector>('lora_magnitude_vector').get(name) as MagnitudeVector)
      .magnitude;
  }
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
