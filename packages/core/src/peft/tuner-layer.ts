import { UserError } from '../errors/index.js';
import type { Parameter, UnaryModule } from '../nn/index.js';
import { AdapterLayer } from './adapter-layer.js';
import type { ModuleDict } from './module-dict.js';
import type { ParameterDict } from './parameter-dict.js';

/** What every method's layer options carry (`adapterInjector` fills them in). */
export interface AdapterLayerOptions {
  /** The adapter to add. */
  readonly adapterName: string;
  /** A seeded generator in [0, 1) for the adapter's initial weights. */
  readonly random: () => number;
}

/** A child of a tuner layer keyed by adapter name. */
export type AdapterDict = ModuleDict | ParameterDict;

/**
 * The part of PEFT's `BaseTunerLayer` that every method's layer around one base module shares:
 * child `base_layer`, children keyed by adapter name (PEFT's `adapter_layer_names`, added with
 * `addAdapterDict`), the options each adapter was added with, and which adapters are merged. A
 * method writes how one adapter is created, merged, unmerged and traced; the rest of the
 * `AdapterLayer` contract is done here. Parameters are saved as PEFT saves them: a dict's key
 * without the adapter name (`lora_A.default.weight` as `lora_A.weight`, `ia3_l.default` as `ia3_l`).
 */
export abstract class TunerLayer<
  O extends AdapterLayerOptions = AdapterLayerOptions,
  B extends UnaryModule = UnaryModule,
> extends AdapterLayer {
  private readonly options = new Map<string, O>();
  private readonly dictNames: string[] = [];
  private readonly merged: string[] = [];

  constructor(base: B) {
    super();
    this.addModule('base_layer', base);
  }

  /** Makes adapter `options.adapterName`'s parameters in this layer's dicts. */
  protected abstract createAdapter(options: O): void;

  /** Folds adapter `name` into the base weights. */
  protected abstract mergeAdapter(name: string): void;

  /** Takes adapter `name` back out of the base weights. */
  protected abstract unmergeAdapter(name: string): void;

  /** Adds an adapter (PEFT's `update_layer`); one the layer holds already is an error. */
  updateLayer(options: O): void {
    if (this.options.has(options.adapterName))
      throw new UserError(`this layer already has adapter '${options.adapterName}'`);
    this.createAdapter(options);
    this.options.set(options.adapterName, options);
  }

  adapterNames(): string[] {
    return [...this.options.keys()];
  }

  adapterState(name: string): [string, Parameter][] {
    return this.dictNames.flatMap((dictName) =>
      this.sub<AdapterDict>(dictName)
        .namedParameters()
        .filter(([path]) => path === name || path.startsWith(`${name}.`))
        .map(([path, p]): [string, Parameter] => [dictName + path.slice(name.length), p]),
    );
  }

  deleteAdapter(name: string): void {
    if (!this.options.has(name)) return;
    if (this.merged.includes(name))
      throw new UserError(`adapter '${name}' is merged; unmerge it before deleting it`);
    for (const dictName of this.dictNames)
      this.setModule(dictName, this.sub<AdapterDict>(dictName).without(name));
    this.options.delete(name);
  }

  merge(names: readonly string[]): void {
    for (const name of names) {
      if (!this.options.has(name) || this.merged.includes(name)) continue;
      this.mergeAdapter(name);
      this.merged.push(name);
    }
  }

  unmerge(): void {
    for (let name = this.merged.pop(); name !== undefined; name = this.merged.pop())
      this.unmergeAdapter(name);
  }

  mergedAdapters(): readonly string[] {
    return this.merged;
  }

  baseLayer(): B {
    return this.sub<B>('base_layer');
  }

  /** The adapters forward adds: the active ones this layer holds; none while disabled or merged. */
  protected forwardAdapters(): string[] {
    if (!this.enabled || this.merged.length > 0) return [];
    return this.activeAdapters.filter((name) => this.options.has(name));
  }

  /** The options adapter `name` was added with. */
  protected optionsOf(name: string): O {
    const options = this.options.get(name);
    if (!options) throw new UserError(`this ${this.method} layer has no adapter '${name}'`);
    return options;
  }

  /** Adds child `name`, a dict keyed by adapter name, which `deleteAdapter` and `adapterState` cover. */
  protected addAdapterDict<D extends AdapterDict>(name: string, dict: D): D {
    this.dictNames.push(name);
    return this.addModule(name, dict);
  }

  /** Adapter `name`'s parameter in the ParameterDict added as `dict`. */
  protected adapterParameter(dict: string, name: string): Parameter {
    const p = this.adapterDict<ParameterDict>(dict).get(name);
    if (!p) throw new UserError(`this ${this.method} layer has no '${dict}' of adapter '${name}'`);
    return p;
  }

  /** The dict added as `name` (a new object after `deleteAdapter`, so look it up each time). */
  protected adapterDict<D extends AdapterDict>(name: string): D {
    return this.sub<D>(name);
  }
}
