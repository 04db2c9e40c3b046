export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  type AdapterFiles,
  adapterFileBytes,
  adapterFoldersIn,
  isCheckpointFolderName,
  readAdapterFolder,
  writeAdapterFolder,
} from './adapter-folder.js';
export { AdapterLayer, isAdapterLayer } from './adapter-layer.js';
export {
  ADAPTER_ROWS_INPUT_PREFIX,
  adapterRowMask,
  adapterRowsInput,
} from './adapter-rows.js';
export { denseDispatcher, isDenseLinear } from './dense-dispatcher.js';
export { DROPOUT_SEED_INPUT, dropoutSeed } from './dropout-seed.js';
export {
  type AdapterInjection,
  type AppliedConfig,
  adapterInjector,
  type InjectableConfig,
  type InjectionTarget,
  modelTypeDefault,
} from './inject-adapter.js';
export { KNOWN_PEFT_PLUGINS, peftPluginHint } from './known-peft-plugins.js';
export { dispatchersFor, type LinearDispatcher, pickDispatcher } from './linear-dispatcher.js';
export {
  MERGE_DTYPES,
  type MergeAdapterOptions,
  type MergeDType,
  type MergePluginLists,
  type MergePlugins,
  mergeAdapterIntoFolder,
} from './merge-folder.js';
export { copyModule } from './module-copy.js';
export { ModuleDict } from './module-dict.js';
export { ModulesToSaveWrapper } from './modules-to-save.js';
export { ParameterDict } from './parameter-dict.js';
export {
  methodConfigSchema,
  type PeftConfig,
  parsePeftConfig,
  peftConfigFields,
  TASK_TYPES,
  type TaskType,
} from './peft-config.js';
export { PEFT_KEY_PREFIX, peftKey } from './peft-keys.js';
export { type PeftContext, type PeftMethod, peftTypeOf } from './peft-method.js';
export {
  DEFAULT_ADAPTER,
  PeftModel,
  type PeftModelOptions,
  type SaveOptions,
} from './peft-model.js';
export { moduleNamesField, targetConfigFields } from './target-config-fields.js';
export {
  ALL_LINEAR,
  candidateModules,
  checkTargetModuleExists,
  expandAllLinear,
  findTargetModules,
  fullMatch,
  type ResolveTargetsOptions,
  type TargetSpec,
} from './target-modules.js';
export { withAdapterHeads } from './task-model.js';
export { trainableParametersLine } from './trainable-report.js';
export { type AdapterDict, type AdapterLayerOptions, TunerLayer } from './tuner-layer.js';
