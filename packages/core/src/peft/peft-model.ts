import { UserError } from '../errors/index.js';
import { formatShape, sameShape } from '../graph/index.js';
import {
  type FolderInput,
  folderSource,
  type NonFiniteOptions,
  writeFolderFiles,
} from '../io/index.js';
import type { Module, Parameter } from '../nn/index.js';
import { HostTensor, seededRandom } from '../tensor/index.js';
import type { Tokenizer } from '../tokenizer/index.js';
import {
  ADAPTER_CONFIG_FILE,
  adapterFileBytes,
  adapterFoldersIn,
  readAdapterFolder,
} from './adapter-folder.js';
import { type AdapterLayer, isAdapterLayer } from './adapter-layer.js';
import { peftPluginHint } from './known-peft-plugins.js';
import type { LinearDispatcher } from './linear-dispatcher.js';
import { wrapModulesToSave } from './modules-to-save.js';
import { type PeftConfig, parsePeftConfig } from './peft-config.js';
import { peftKey } from './peft-keys.js';
import { type PeftContext, type PeftMethod, peftTypeOf } from './peft-method.js';
import { trainableParametersLine } from './trainable-report.js';

/** PEFT's name for the first adapter. */
export const DEFAULT_ADAPTER = 'default';

/** What `save` records beside the adapters. */
export interface SaveOptions {
  /** Written as `base_model_name_or_path` in each adapter_config.json. */
  readonly baseModelNameOrPath?: string;
}

export interface PeftModelOptions {
  /** The registered PEFT methods (`resolveAllOf(container, TOKENS.PeftMethod)`), for loading folders. */
  readonly methods?: readonly PeftMethod[];
  /** The registered dispatchers (`resolveAllOf(container, TOKENS.LinearDispatcher)`). */
  readonly dispatchers?: readonly LinearDispatcher[];
  /** Seed of the adapter initialisation; 0 by default. */
  readonly seed?: number;
  /** The output head, left out by 'all-linear'; 'lm_head' by default. */
  readonly outputHead?: string;
  /** `config.json`'s `model_type`, for default target modules. */
  readonly modelType?: string;
  /** The model's `config.json`, for methods that record the model's sizes (prompt learning). */
  readonly modelConfig?: Readonly<Record<string, unknown>>;
  /** The model's tokenizer, for initialisations from a text (prompt tuning's TEXT). */
  readonly tokenizer?: Tokenizer;
}

interface Adapter {
  readonly method: PeftMethod;
  readonly config: PeftConfig;
}

/**
 * A model with PEFT adapters (PEFT's `PeftModel` with its tuner): the model is transformed in place
 * and traced as usual; this handle adds, activates, disables, merges, saves and loads adapters.
 * Only the active adapter's parameters (and what its config adds, e.g. biases) are trainable.
 */
export class PeftModel<M extends Module = Module> {
  private readonly adapters = new Map<string, Adapter>();
  /** The adapters used in forward (several when they compose: LoRA in the Linears, a prefix in attention). */
  private active: string[] = [DEFAULT_ADAPTER];
  /** Whether the active adapters apply per row (`setAdapterPerRow`) rather than to every row. */
  private perRow = false;
  private enabled = true;
  private readonly context: PeftContext;

  private constructor(
    readonly model: M,
    private readonly options: PeftModelOptions,
  ) {
    this.context = {
      dispatchers: options.dispatchers ?? [],
      random: seededRandom(options.seed ?? 0),
      outputHead: options.outputHead ?? 'lm_head',
      modelType: options.modelType,
      modelConfig: options.modelConfig,
      tokenizer: options.tokenizer,
    };
  }

  /** Adds adapter 'default' (or `adapterName`) of `method` with `config` (raw, e.g. from YAML). */
  static create<M extends Module>(
    model: M,
    method: PeftMethod,
    config: unknown,
    options: PeftModelOptions & { readonly adapterName?: string } = {},
  ): PeftModel<M> {
    const peft = new PeftModel(model, options);
    const name = options.adapterName ?? DEFAULT_ADAPTER;
    peft.active = [name];
    peft.addAdapter(name, method, config);
    return peft;
  }

  /**
   * As `create`, with `config` already parsed by the method's schema (`methodConfigSchema`, as a
   * config file's schema embeds it), so it is not parsed a second time.
   */
  static createParsed<M extends Module, C extends PeftConfig>(
    model: M,
    method: PeftMethod<C>,
    config: C,
    options: PeftModelOptions & { readonly adapterName?: string } = {},
  ): PeftModel<M> {
    const peft = new PeftModel(model, options);
    const name = options.adapterName ?? DEFAULT_ADAPTER;
    peft.active = [name];
    peft.addParsedAdapter(name, method, config);
    return peft;
  }

  /**
   * Loads a PEFT adapter folder (made by tunekit or by Python PEFT) onto `model`: the method named
   * by its `peft_type` must be among `options.methods`. The adapter is frozen unless `isTrainable`;
   * a weight holding NaN or ±Inf is an error unless `allowNonfinite`.
   */
  static async fromPretrained<M extends Module>(
    model: M,
    dir: FolderInput,
    options: PeftModelOptions &
      NonFiniteOptions & { readonly adapterName?: string; readonly isTrainable?: boolean },
  ): Promise<PeftModel<M>> {
    const peft = new PeftModel(model, options);
    const name = options.adapterName ?? DEFAULT_ADAPTER;
    peft.active = [name];
    const { isTrainable, allowNonfinite, warn } = options;
    await peft.loadAdapter(dir, name, { isTrainable, allowNonfinite, warn });
    return peft;
  }

  /** The first active adapter: the one `stateDict`, `config` and `save`'s defaults mean. */
  /**
   * Loads every adapter `save` wrote into `dir` (PEFT's layout for several adapters: 'default' at
   * the root, each other one in a sub-folder named after it) and makes them all active, as they
   * were trained: a LoRA adapter with a prefix-tuning one composes. Frozen unless `isTrainable`.
   */
  static async fromPretrainedAll<M extends Module>(
    model: M,
    dir: string,
    options: PeftModelOptions & NonFiniteOptions & { readonly isTrainable?: boolean },
  ): Promise<PeftModel<M>> {
    const [root, ...others] = await adapterFoldersIn(dir, DEFAULT_ADAPTER);
    const peft = await PeftModel.fromPretrained(model, root.dir, options);
    const { isTrainable, allowNonfinite, warn } = options;
    for (const { name, dir: sub } of others)
      await peft.loadAdapter(sub, name, { isTrainable, allowNonfinite, warn });
    peft.setAdapter(peft.adapterNames());
    return peft;
  }

  get activeAdapter(): string {
    return this.active[0];
  }

  /** Every active adapter, in the order they were set. */
  get activeAdapters(): readonly string[] {
    return this.active;
  }

  adapterNames(): string[] {
    return [...this.adapters.keys()];
  }

  /** The config adapter `name` was applied with (target modules resolved). */
  config(name = this.activeAdapter): PeftConfig {
    return this.entry(name).config;
  }

  /**
   * Adds an adapter; the active adapter stays as it was (as in PEFT's `add_adapter`). `source`
   * names the config in errors.
   */
  addAdapter(
    name: string,
    method: PeftMethod,
    config: unknown,
    source = `${method.id} config of adapter '${name}'`,
  ): void {
    const parsed = parsePeftConfig(method.configSchema, peftTypeOf(method), config, source);
    this.addParsedAdapter(name, method, parsed);
  }

  /**
   * As `addAdapter`, with `config` already parsed by the method's schema (`methodConfigSchema`):
   * the method transforms the model in place.
   */
  addParsedAdapter<C extends PeftConfig>(name: string, method: PeftMethod<C>, config: C): void {
    if (this.adapters.has(name)) throw new UserError(`adapter '${name}' already exists`);
    const headed = withClassifierHeads(config);
    const applied = method.inject(this.model, headed, name, this.context);
    const toSave = [...(applied.modules_to_save ?? [])];
    if (config.task_type === 'SEQ_CLS') toSave.push(...SEQ_CLS_HEADS);
    if (toSave.length > 0) wrapModulesToSave(this.model, name, [...new Set(toSave)]);
    this.adapters.set(name, { method, config: applied });
    this.refresh();
  }

  /**
   * Makes `name` the one adapter used in forward and trained, or `names` the adapters used together
   * (PEFT's `set_adapter` with a list): they train together, except those loaded for inference. At
   * most one prompt-learning adapter can be active, since each of them owns the model's prefix.
   */
  setAdapter(name: string | readonly string[]): void {
    const names = typeof name === 'string' ? [name] : [...new Set(name)];
    if (names.length === 0) throw new UserError('setAdapter: name at least one adapter');
    const prompts = names.filter((n) => this.entry(n).method.isPromptLearning);
    if (prompts.length > 1)
      throw new UserError(
        `adapters ${prompts.map((n) => `'${n}'`).join(' and ')} are both prompt-learning adapters; ` +
          'only one can be active at a time (it may be combined with LoRA-family adapters)',
      );
    this.active = names;
    this.perRow = false;
    this.refresh();
  }

  /**
   * Makes `names` active for a batch that mixes them: each applies only to the rows its graph input
   * `adapter_rows.<name>` (f32 [batch], 1 or 0) selects, so rows answered by different adapters, or
   * by none, share one batch. Only for adapters whose every layer supports it (LoRA's do; a
   * prompt-learning adapter changes the whole batch's prefix and cannot).
   */
  setAdapterPerRow(names: readonly string[]): void {
    const unsupported = names.filter((name) => !this.supportsPerRow(name));
    if (unsupported.length > 0)
      throw new UserError(
        `adapter${unsupported.length > 1 ? 's' : ''} ${unsupported.map((n) => `'${n}'`).join(', ')} cannot apply per row of a batch; run its rows in a batch of their own`,
      );
    this.setAdapter(names);
    this.perRow = true;
    this.refresh();
  }

  /** Whether adapter `name` can apply per row of a batch (`setAdapterPerRow`). */
  supportsPerRow(name: string): boolean {
    if (this.entry(name).method.isPromptLearning) return false;
    return this.layers()
      .filter(([, layer]) => layer.adapterNames().includes(name))
      .every(([, layer]) => layer.supportsPerRowAdapters());
  }

  /** The base model's exact outputs until `enableAdapters` (merged adapters are taken out first). */
  disableAdapters(): void {
    if (this.layers().some(([, layer]) => layer.mergedAdapters().length > 0)) this.unmerge();
    this.enabled = false;
    this.refresh();
  }

  enableAdapters(): void {
    this.enabled = true;
    this.refresh();
  }

  /** Runs `fn` with adapters disabled (PEFT's `with model.disable_adapter():`), then enables them. */
  async withAdaptersDisabled<T>(fn: () => T | Promise<T>): Promise<T> {
    this.disableAdapters();
    try {
      return await fn();
    } finally {
      this.enableAdapters();
    }
  }

  deleteAdapter(name: string): void {
    this.entry(name);
    if (this.adapters.size === 1) {
      throw new UserError(
        `cannot delete '${name}', the only adapter; unload() gives back the base model`,
      );
    }
    for (const [, layer] of this.layers()) layer.deleteAdapter(name);
    this.adapters.delete(name);
    this.dropActive(name);
    this.refresh();
  }

  /** Dropout and other training-only behaviour of the adapters on (true) or off. */
  train(on = true): void {
    for (const [, layer] of this.layers()) layer.training = on;
  }

  /** Trainable parameters by path in the model (`model.layers.0.self_attn.q_proj.lora_A.default.weight`). */
  trainableParameters(): [string, Parameter][] {
    return this.uniqueParameters().filter(([, p]) => p.trainable);
  }

  /** Counts as PEFT's `get_nb_trainable_parameters`: each shared parameter once. */
  parameterCounts(): { trainable: number; all: number } {
    let trainable = 0;
    let all = 0;
    for (const [, p] of this.uniqueParameters()) {
      all += p.value.size;
      if (p.trainable) trainable += p.value.size;
    }
    return { trainable, all };
  }

  /** PEFT's `print_trainable_parameters` line; also printed when `print` is given. */
  printTrainableParameters(print: (line: string) => void = console.log): string {
    const { trainable, all } = this.parameterCounts();
    const line = trainableParametersLine(trainable, all);
    print(line);
    return line;
  }

  /** The tensors adapter `name` saves, under PEFT's keys (`base_model.model.<path>.lora_A.weight`). */
  stateDict(name = this.activeAdapter): Map<string, HostTensor> {
    return new Map([...this.adapterParameters(name)].map(([key, p]) => [key, p.value]));
  }

  /** Adapter `name`'s parameters by saved key: what it trains, saves and loads. */
  adapterParameters(name = this.activeAdapter): Map<string, Parameter> {
    const { method, config } = this.entry(name);
    const key = method.stateKey ?? ((path: string, local: string) => peftKey(`${path}.${local}`));
    const out = new Map<string, Parameter>();
    for (const [path, layer] of this.layers()) {
      for (const [local, p] of layer.adapterState(name)) out.set(key(path, local), p);
    }
    const params = new Map(this.model.namedParameters());
    for (const path of method.extraTrainable?.(this.model, config) ?? [])
      out.set(peftKey(path), params.get(path) as Parameter);
    return out;
  }

  /** What `save` writes of adapter `name`: `stateDict`, or what its layers save instead (see AdapterLayer). */
  async tensorsToSave(name = this.activeAdapter): Promise<Map<string, HostTensor>> {
    const tensors = this.stateDict(name);
    const { method } = this.entry(name);
    const key = method.stateKey ?? ((path: string, local: string) => peftKey(`${path}.${local}`));
    for (const [path, layer] of this.layers()) {
      if (!layer.savedAdapterState || layer.adapterState(name).length === 0) continue;
      for (const [local] of layer.adapterState(name)) tensors.delete(key(path, local));
      for (const [local, t] of await layer.savedAdapterState(name))
        tensors.set(key(path, local), t);
    }
    return tensors;
  }

  /**
   * Sets adapter `name` from tensors under PEFT's keys. Every key must fit: missing and unexpected
   * keys and shape mismatches are one error that lists them; nothing changes unless all fit.
   * Half-precision tensors are widened to the parameters' f32.
   */
  loadStateDict(
    tensors: ReadonlyMap<string, HostTensor>,
    name = this.activeAdapter,
    source = 'adapter',
  ): void {
    const expected = this.adapterParameters(name);
    const missing = [...expected.keys()].filter((key) => !tensors.has(key));
    const unexpected = [...tensors.keys()].filter((key) => !expected.has(key));
    const mismatched = [...tensors]
      .filter(([key, t]) => {
        const p = expected.get(key);
        return p !== undefined && !sameShape(p.shape, t.shape);
      })
      .map(([key, t]) => {
        const p = expected.get(key) as Parameter;
        return `${key}: file ${formatShape(t.shape)}, model ${formatShape(p.shape)}`;
      });
    if (missing.length + unexpected.length + mismatched.length > 0) {
      throw new UserError(
        `${source} does not fit the model as adapter '${name}' is configured:` +
          `${listed('missing', missing)}${listed('unexpected', unexpected)}${listed('shape mismatch', mismatched)}`,
      );
    }
    for (const [key, t] of tensors) {
      const p = expected.get(key) as Parameter;
      p.value = t.dtype === p.dtype ? t : HostTensor.from(p.dtype, t.shape, t.toFloat64());
    }
  }

  /** Folds adapters (the active ones by default) into the base weights. */
  merge(names: readonly string[] = this.active): void {
    for (const name of names) this.refuseMergeOfPromptLearning(name);
    for (const [, layer] of this.layers()) layer.merge(names);
  }

  unmerge(): void {
    for (const [, layer] of this.layers()) layer.unmerge();
  }

  /** Merges the active adapters and returns the plain model (PEFT's `merge_and_unload`). */
  mergeAndUnload(): M {
    for (const name of this.active) this.refuseMergeOfPromptLearning(name);
    for (const [, layer] of this.layers()) {
      const merged = layer.mergedAdapters();
      layer.merge(this.active.filter((name) => !merged.includes(name)));
    }
    return this.unload();
  }

  /** Puts every adapter layer's base module back, dropping the adapters (PEFT's `unload`). */
  unload(): M {
    for (const [path, layer] of this.layers()) {
      const base = layer.baseLayer();
      if (base) this.model.setModule(path, base);
      else this.model.detachModule(path);
    }
    this.adapters.clear();
    for (const [, p] of this.model.namedParameters()) p.trainable = false;
    return this.model;
  }

  /**
   * Saves every adapter as PEFT does: 'default' in `dir`, any other in `dir/<name>`, each as
   * `adapter_config.json` (with `peft_type`, `inference_mode: true`) and `adapter_model.safetensors`.
   */
  async save(dir: string, opts: SaveOptions = {}): Promise<void> {
    await writeFolderFiles(dir, await this.savedFiles(opts));
  }

  /**
   * What `save` writes, as bytes by relative path (`adapter_config.json`, `<name>/...`): in a
   * browser, the downloads.
   */
  async savedFiles(opts: SaveOptions = {}): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const [name, { method, config }] of this.adapters) {
      const saved: Record<string, unknown> = {
        ...(method.savedConfig?.(config) ?? config),
        peft_type: peftTypeOf(method),
        inference_mode: true,
      };
      if (opts.baseModelNameOrPath !== undefined)
        saved.base_model_name_or_path = opts.baseModelNameOrPath;
      const files = adapterFileBytes({ config: saved, tensors: await this.tensorsToSave(name) });
      for (const [file, bytes] of files)
        out.set(name === DEFAULT_ADAPTER ? file : `${name}/${file}`, bytes);
    }
    return out;
  }

  /**
   * Adds adapter `name` from a PEFT adapter folder; frozen unless `isTrainable`. A weight holding
   * NaN or ±Inf is an error unless `allowNonfinite`.
   */
  async loadAdapter(
    dir: FolderInput,
    name: string,
    opts: NonFiniteOptions & { readonly isTrainable?: boolean } = {},
  ): Promise<void> {
    const source = folderSource(dir);
    const files = await readAdapterFolder(source, opts);
    const method = this.methodOfFolder(files.config, source.location);
    const config = { ...files.config, inference_mode: !opts.isTrainable };
    this.addAdapter(name, method, config, source.pathOf(ADAPTER_CONFIG_FILE));
    try {
      this.loadStateDict(files.tensors, name, source.location);
    } catch (err) {
      this.removeFailed(name);
      throw err;
    }
  }

  /** Takes an adapter whose weights did not load back out, leaving the model as it was. */
  private removeFailed(name: string): void {
    this.adapters.delete(name);
    if (this.adapters.size === 0) {
      this.unload();
      return;
    }
    for (const [, layer] of this.layers()) layer.deleteAdapter(name);
    this.dropActive(name);
    this.refresh();
  }

  /** Takes a removed adapter out of the active ones; with none left, the first by name is active. */
  private dropActive(name: string): void {
    this.active = this.active.filter((n) => n !== name);
    if (this.active.length === 0) this.active = [[...this.adapters.keys()].sort()[0]];
  }

  private methodOfFolder(config: Readonly<Record<string, unknown>>, dir: string): PeftMethod {
    const peftType = config.peft_type;
    const methods = this.options.methods ?? [];
    // a method of that id before its variants (prefix_tuning before p_tuning_v2)
    const method =
      methods.find((m) => m.id.toUpperCase() === peftType) ??
      methods.find((m) => peftTypeOf(m) === peftType);
    if (!method) {
      const known = [...new Set(methods.map(peftTypeOf))];
      throw new UserError(
        `${dir}: adapter_config.json has peft_type ${JSON.stringify(peftType)}; ` +
          `registered methods: ${known.length > 0 ? known.join(', ') : 'none'}; ${peftPluginHint(peftType)}`,
      );
    }
    return method;
  }

  /** Prompt-learning adapters are inputs to the model, not changes to its weights (PEFT cannot merge them either). */
  private refuseMergeOfPromptLearning(name: string): void {
    const { method } = this.entry(name);
    if (method.isPromptLearning)
      throw new UserError(
        `adapter '${name}' (${peftTypeOf(method)}) cannot be merged: a prompt-learning method adds ` +
          'virtual tokens to the input or key/value prefixes to attention and changes no weight, so there is nothing to merge; load it as an adapter instead',
      );
  }

  private entry(name: string): Adapter {
    const adapter = this.adapters.get(name);
    if (!adapter) {
      throw new UserError(
        `no adapter '${name}'; the model has: ${this.adapterNames().join(', ') || 'none'}`,
      );
    }
    return adapter;
  }

  /** Every adapter layer of the model, with its path. */
  private layers(): [string, AdapterLayer][] {
    return this.model
      .namedModules()
      .filter((entry): entry is [string, AdapterLayer] => isAdapterLayer(entry[1]));
  }

  /** Parameters by path, a shared (tied) parameter once, under its first path. */
  private uniqueParameters(): [string, Parameter][] {
    const byParameter = new Map<Parameter, string>();
    for (const [path, p] of this.model.namedParameters()) {
      if (!byParameter.has(p)) byParameter.set(p, path);
    }
    return [...byParameter].map(([p, path]) => [path, p]);
  }

  /**
   * Re-derives every layer's active adapters and enabled flag and every parameter's trainable flag:
   * only the active adapters train, and not those loaded for inference.
   */
  private refresh(): void {
    for (const [, layer] of this.layers()) {
      layer.setActiveAdapters(this.active);
      layer.enabled = this.enabled;
      layer.perRowAdapters = this.perRow && layer.supportsPerRowAdapters();
    }
    for (const [, p] of this.model.namedParameters()) p.trainable = false;
    for (const name of this.active) {
      const adapter = this.adapters.get(name);
      if (!adapter || adapter.config.inference_mode) continue;
      for (const p of this.adapterParameters(name).values()) p.trainable = true;
    }
  }

  /** The PEFT method of adapter `name`. */
  methodOf(name: string): PeftMethod {
    return this.entry(name).method;
  }

  /** Whether adapter `name` trains when active (it was not loaded for inference). */
  isTrainable(name: string): boolean {
    return !this.entry(name).config.inference_mode;
  }
}

/** The head names PEFT's `PeftModelForSequenceClassification` trains and saves in full. */
const SEQ_CLS_HEADS = ['classifier', 'score'];

/**
 * A SEQ_CLS config with the heads added to its `modules_to_save`, as PEFT's
 * `PeftModelForSequenceClassification` extends it before injecting (so the saved config lists them);
 * a config without the field (prompt learning) is returned as is, its heads wrapped all the same.
 */
function withClassifierHeads<C extends PeftConfig>(config: C): C {
  if (config.task_type !== 'SEQ_CLS' || !('modules_to_save' in config)) return config;
  const listed = config.modules_to_save ?? [];
  return {
    ...config,
    modules_to_save: [...listed, ...SEQ_CLS_HEADS.filter((h) => !listed.includes(h))],
  };
}

function listed(label: string, items: readonly string[]): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, 20).join(', ');
  return `\n  ${label} (${items.length}): ${shown}${items.length > 20 ? ', ...' : ''}`;
}
