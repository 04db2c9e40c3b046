import { UserError } from '../errors/index.js';
import type { Module } from '../nn/index.js';
import { type AdapterLayer, isAdapterLayer } from './adapter-layer.js';
import { dispatchersFor, pickDispatcher } from './linear-dispatcher.js';
import type { PeftConfig } from './peft-config.js';
import type { PeftContext } from './peft-method.js';
import {
  checkTargetModuleExists,
  expandAllLinear,
  findTargetModules,
  type TargetSpec,
} from './target-modules.js';
import type { AdapterLayerOptions, TunerLayer } from './tuner-layer.js';

/** The fields of a method's config that injection reads; null `target_modules` takes the model type's default. */
export type InjectableConfig = PeftConfig &
  Omit<TargetSpec, 'target_modules'> & {
    readonly target_modules: TargetSpec['target_modules'] | null;
  };

/** A config as applied: `target_modules` resolved (model-type default, 'all-linear' expanded). */
export type AppliedConfig<C extends InjectableConfig> = C & {
  readonly target_modules: string[] | string;
};

/** One module a method adapts, as its `layerOptions` sees it. */
export interface InjectionTarget<C extends InjectableConfig> {
  /** The module's path in the model ('model.layers.0.self_attn.q_proj'). */
  readonly path: string;
  /** Its place among the targets, in model order (LoRA salts dropout with it). */
  readonly index: number;
  readonly config: AppliedConfig<C>;
}

type ModelTypeTable = Readonly<Record<string, readonly string[]>>;

/** What a method tells `adapterInjector`: the parts of PEFT's `inject_adapter` that differ by method. */
export interface AdapterInjection<C extends InjectableConfig, O extends AdapterLayerOptions> {
  /** The method's id; its dispatchers and layers carry it ('ia3'). */
  readonly method: string;
  /**
   * PEFT's `TRANSFORMERS_MODELS_TO_<METHOD>_..._MAPPING`s: for each field, in order, its value by
   * `model_type` when the config leaves it null (PEFT's `_prepare_adapter_config`).
   */
  readonly modelTypeDefaults: { readonly target_modules: ModelTypeTable } & Readonly<
    Record<string, ModelTypeTable>
  >;
  /** The method's own options of the layer at one target (what PEFT's `_create_and_replace` passes on). */
  readonly layerOptions: (target: InjectionTarget<C>) => Omit<O, keyof AdapterLayerOptions>;
}

/**
 * A `PeftMethod.inject` for a method whose layers wrap single modules, PEFT's
 * `BaseTuner.inject_adapter`: null fields take the model type's defaults, 'all-linear' is expanded,
 * and each target is wrapped by the first of the method's registered dispatchers that accepts it,
 * or, if it is the method's `TunerLayer` already, gains the adapter. The config returned is the one
 * applied, which is what is saved.
 */
export function adapterInjector<C extends InjectableConfig, O extends AdapterLayerOptions>(
  injection: AdapterInjection<C, O>,
): (model: Module, config: C, adapterName: string, ctx: PeftContext) => AppliedConfig<C> {
  const { method } = injection;
  return (model, config, adapterName, ctx) => {
    const dispatchers = dispatchersFor<O>(ctx.dispatchers, method);
    if (dispatchers.length === 0)
      throw new UserError(
        `no LinearDispatcher for '${method}' is registered; register the plugin of method '${method}'`,
      );
    const filled: Record<string, unknown> = { ...config };
    for (const [field, table] of Object.entries(injection.modelTypeDefaults))
      filled[field] ??= [...modelTypeDefault(table, field, method, ctx.modelType)];
    const accepted = (m: Module | undefined) =>
      m !== undefined && dispatchers.some((d) => d.accepts(m));
    const ownLayer = (m: Module): m is AdapterLayer => isAdapterLayer(m) && m.method === method;
    const targets = expandAllLinear(model, filled.target_modules as string[] | string, {
      isLinear: (m) => (ownLayer(m) ? accepted(m.baseLayer()) : accepted(m)),
      outputHead: ctx.outputHead,
    });
    const applied = {
      ...filled,
      target_modules: typeof targets === 'string' ? targets : [...targets],
    } as AppliedConfig<C>;
    // PEFT's inject_adapter skips a module that modules_to_save names: it trains in full instead
    const saved = (config as { modules_to_save?: readonly string[] | null }).modules_to_save ?? [];
    const isSaved = (path: string) => checkTargetModuleExists({ target_modules: saved }, path);
    const paths = findTargetModules(model, applied).filter((path) => !isSaved(path));
    paths.forEach((path, index) => {
      const own = injection.layerOptions({ path, index, config: applied });
      const options = { ...own, adapterName, random: ctx.random } as unknown as O;
      const target = model.getModule(path);
      // a layer of this method was made by one of its dispatchers: a TunerLayer taking O
      if (ownLayer(target)) (target as TunerLayer<O>).updateLayer(options);
      else
        model.setModule(
          path,
          pickDispatcher(dispatchers, target, path, method).create(target, options),
        );
    });
    return applied;
  };
}
/**
 * `table[modelType]`: PEFT's default of `field` for the model type (`TRANSFORMERS_MODELS_TO_..._MAPPING`).
 * A model type without one is an error that asks for the field.
 */
export function modelTypeDefault<T>(
  table: Readonly<Record<string, T>>,
  field: string,
  method: string,
  modelType: string | undefined,
): T {
  const found = modelType === undefined ? undefined : table[modelType];
  if (found === undefined) {
    throw new UserError(
      `${field} is not set and there is no default for model type '${modelType ?? 'unknown'}' ` +
        `(${method} has defaults for: ${Object.keys(table).join(', ')}); list the modules in ${field}`,
    );
  }
  return found;
}
