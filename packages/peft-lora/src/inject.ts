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
import type { LoraConfig } from './config.js';
import { DEFAULT_TARGET_MODULES } from './default-targets.js';
import { type LoraLayerOptions, LoraLinear } from './lora-linear.js';

/**
 * Adds LoRA adapter `adapterName` to `model` (PEFT's `LoraModel.inject_adapter`): each targeted
 * module is wrapped by the first registered dispatcher that accepts it, or gains the adapter if it
 * is a LoRA layer already. Returns the config with `target_modules` as applied (PEFT's defaults for
 * the model type when none were given, 'all-linear' expanded).
 */
export function injectLora(
  model: Module,
  config: LoraConfig,
  adapterName: string,
  ctx: PeftContext,
): LoraConfig {
  const dispatchers = dispatchersFor<LoraLayerOptions>(ctx.dispatchers, 'lora');
  if (dispatchers.length === 0) {
    throw new UserError(
      "no LinearDispatcher for 'lora' is registered; register @tunekit/peft-lora's plugin",
    );
  }
  const accepted = (m: Module) => dispatchers.some((d) => d.accepts(m));
  const target_modules = expandAllLinear(model, config.target_modules ?? defaultTargets(ctx), {
    isLinear: (m) => (m instanceof LoraLinear ? accepted(m.baseLayer()) : accepted(m)),
    outputHead: ctx.outputHead,
  });
  const applied = {
    ...config,
    target_modules: typeof target_modules === 'string' ? target_modules : [...target_modules],
  };
  findTargetModules(model, applied).forEach((path, index) => {
    const target = model.getModule(path);
    const options: LoraLayerOptions = {
      adapterName,
      r: patternValue(config.rank_pattern, path, 'rank_pattern') ?? config.r,
      lora_alpha: patternValue(config.alpha_pattern, path, 'alpha_pattern') ?? config.lora_alpha,
      lora_dropout: config.lora_dropout,
      use_rslora: config.use_rslora,
      use_dora: config.use_dora,
      init_lora_weights: config.init_lora_weights,
      random: ctx.random,
      dropoutSalt: index,
    };
    if (target instanceof LoraLinear) target.updateLayer(options);
    else
      model.setModule(
        path,
        pickDispatcher(dispatchers, target, path, 'lora').create(target, options),
      );
  });
  return applied;
}

function defaultTargets(ctx: PeftContext): readonly string[] {
  const targets = ctx.modelType === undefined ? undefined : DEFAULT_TARGET_MODULES[ctx.modelType];
  if (!targets) {
    throw new UserError(
      `target_modules is not set and there is no default for model type '${ctx.modelType ?? 'unknown'}' ` +
        `(defaults exist for: ${Object.keys(DEFAULT_TARGET_MODULES).join(', ')}); list the modules to adapt`,
    );
  }
  return targets;
}

/**
 * The value of the first pattern that matches the end of `path` (PEFT's `get_pattern_key`:
 * `re.match(rf"(.*\.)?({key})$", path)`), or undefined.
 */
function patternValue(
  patterns: Readonly<Record<string, number>>,
  path: string,
  field: string,
): number | undefined {
  const key = Object.keys(patterns).find((p) => fullMatch(`(?:.*\\.)?(?:${p})`, path, field));
  return key === undefined ? undefined : patterns[key];
}
