import { UserError } from '../errors/index.js';
import type { Tensor } from '../graph/index.js';
import type { Module, Parameter, TraceContext, UnaryModule } from '../nn/index.js';
import { AdapterLayer } from './adapter-layer.js';
import { copyModule } from './module-copy.js';
import { ModuleDict } from './module-dict.js';
import { candidateModules, checkTargetModuleExists } from './target-modules.js';

/**
 * Gives adapter `adapterName` its own trainable copy of each module of `model` that `names` match
 * (as target_modules match: exactly, or the end of a name after a '.'), PEFT's `_set_trainable`.
 */
export function wrapModulesToSave(
  model: Module,
  adapterName: string,
  names: readonly string[],
): void {
  const matched = candidateModules(model).filter(([path]) =>
    checkTargetModuleExists({ target_modules: names }, path),
  );
  if (matched.length === 0) {
    throw new UserError(`modules_to_save ${JSON.stringify(names)} matched no module of the model`);
  }
  for (const [path, module] of matched) {
    const wrapper =
      module instanceof ModulesToSaveWrapper
        ? module
        : new ModulesToSaveWrapper(module as UnaryModule, path);
    if (wrapper !== module) model.setModule(path, wrapper);
    wrapper.addAdapter(adapterName);
  }
}

/**
 * A module trained in full and saved with the adapter (a config's `modules_to_save`, PEFT's
 * `ModulesToSaveWrapper`): children `original_module` (frozen) and `modules_to_save`, one copy per
 * adapter. Forward runs the active adapter's copy, or the original when adapters are disabled.
 * Its weights are saved under the module's own name (`base_model.model.lm_head.weight`).
 */
export class ModulesToSaveWrapper extends AdapterLayer {
  readonly method = 'modules_to_save';

  constructor(
    original: UnaryModule,
    private readonly path: string,
  ) {
    super();
    this.addModule('original_module', original);
    this.addModule('modules_to_save', new ModuleDict<UnaryModule>());
  }

  /** Adds adapter `name`'s copy of the original module. */
  addAdapter(name: string): void {
    if (!this.copies().has(name))
      this.copies().set(name, copyModule(this.sub('original_module'), this.path));
  }

  adapterNames(): string[] {
    return this.copies().keys();
  }

  adapterState(name: string): [string, Parameter][] {
    return this.copies().get(name)?.namedParameters() ?? [];
  }

  deleteAdapter(name: string): void {
    this.setModule('modules_to_save', this.copies().without(name));
  }

  /** Nothing to fold: the copy replaces the original when unloaded. */
  merge(): void {}

  unmerge(): void {}

  mergedAdapters(): readonly string[] {
    return [];
  }

  /** The active adapter's trained copy (as PEFT's unload returns it), else the original. */
  baseLayer(): Module {
    return this.current() ?? this.sub('original_module');
  }

  forward(ctx: TraceContext, x: Tensor): Tensor {
    const module = this.enabled ? this.current() : undefined;
    return (module ?? this.sub<UnaryModule>('original_module')).forward(ctx, x);
  }

  private current(): UnaryModule | undefined {
    const name = this.activeAdapters.find((n) => this.copies().has(n));
    return name === undefined ? undefined : this.copies().get(name);
  }

  private copies(): ModuleDict<UnaryModule> {
    return this.sub<ModuleDict<UnaryModule>>('modules_to_save');
  }
}
