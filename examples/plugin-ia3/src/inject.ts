import {
  dispatchersFor,
  expandAllLinear,
  findTargetModules,
  fullMatch,
  type Module,
  type PeftContext,
  pickDispatcher,
  UserError,
} from '@tunekit/core';
import type { Ia3Config } from './config.js';
import { IA3_DEFAULT_MODULES } from './default-modules.js';
import { type Ia3LayerOptions, Ia3Linear } from './ia3-linear.js';

/**
 * Adds (IA)³ adapter `adapterName` to `model` (PEFT's `IA3Model.inject_adapter`): each targeted
 * module is wrapped by the first registered 'ia3' dispatcher that accepts it, or gains the adapter
 * if it is an (IA)³ layer already. Returns the config as applied: PEFT's defaults for the model
 * type in place of null `target_modules` and `feedforward_modules`, 'all-linear' expanded.
 */
export function injectIa3(
  model: Module,
  config: Ia3Config,
  adapterName: string,
  ctx: PeftContext,
): Ia3Config {
  const dispatchers = dispatchersFor<Ia3LayerOptions>(ctx.dispatchers, 'ia3');
  const targets = expandAllLinear(
    model,
    config.target_modules ?? byModelType('target_modules', ctx),
    {
      isLinear: (m) => m instanceof Ia3Linear || dispatchers.some((d) => d.accepts(m)),
      outputHead: ctx.outputHead,
    },
  );
  const feedforward = config.feedforward_modules ?? [...byModelType('feedforward_modules', ctx)];
  const target_modules = typeof targets === 'string' ? targets : [...targets];
  const applied = { ...config, target_modules, feedforward_modules: feedforward };
  for (const path of findTargetModules(model, applied)) {
    const target = model.getModule(path);
    const options: Ia3LayerOptions = {
      adapterName,
      // PEFT's `_check_target_module_feedforward`: a full-match regex, or names ending the path
      isFeedforward:
        typeof feedforward === 'string'
          ? fullMatch(feedforward, path, 'feedforward_modules')
          : feedforward.some((name) => path.endsWith(name)),
      init_ia3_weights: config.init_ia3_weights,
      random: ctx.random,
    };
    if (target instanceof Ia3Linear) target.updateLayer(options);
    else
      model.setModule(
        path,
        pickDispatcher(dispatchers, target, path, 'ia3').create(target, options),
      );
  }
  return applied;
}

/** PEFT's `_prepare_adapter_config`: the model type's defaults, or an error asking for the field. */
function byModelType(
  field: 'target_modules' | 'feedforward_modules',
  ctx: PeftContext,
): readonly string[] {
  const defaults = IA3_DEFAULT_MODULES[ctx.modelType ?? ''];
  if (!defaults) {
    throw new UserError(
      `${field} is not set and IA3 has no default for model type '${ctx.modelType ?? 'unknown'}' ` +
        `(defaults exist for: ${Object.keys(IA3_DEFAULT_MODULES).join(', ')}); list the modules`,
    );
  }
  return defaults[field];
}
