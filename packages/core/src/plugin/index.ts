export {
  BACKEND_OPTIONS_KEY,
  backendOptionsSchema,
  parseBackendOptions,
} from './backend-options.js';
export { checkCoreRange, createContainer, createRunContainer, type RunScope } from './container.js';
export { corePlugins } from './core-plugins.js';
export { CORE_VERSION } from './core-version.js';
export type {
  InstructionRecord,
  MessagesRecord,
  PreferenceRecord,
  PromptCompletionRecord,
  RecordMetadata,
  SftRecord,
  TextRecord,
} from './dataset-records.js';
export type { EvalOutputs, EvalSample, TokenTotals } from './eval-outputs.js';
export type {
  CallbackResult,
  ChatContentPart,
  ChatMessage,
  ChatRenderOptions,
  ChatRole,
  ChatSpan,
  ChatTemplate,
  ChatTemplateContext,
  ChatToolCall,
  ChatToolDefinition,
  DatasetFormat,
  GenerationSample,
  LogFields,
  Logger,
  Metric,
  MetricValues,
  ModelFamily,
  PeftMethod,
  RenderedChat,
  TrainerCallback,
  TrainerControl,
  TrainerLogs,
  TrainerState,
} from './extension-points.js';
export {
  parsePlugin,
  parsePluginModule,
  pluginModuleSchema,
  pluginSchema,
  type TunekitPlugin,
} from './plugin.js';
export { listIds, resolveAllOf, resolveById } from './registry.js';
export { createBackend, resolveBackend, resolveBackendFactory } from './resolve-backend.js';
export { TOKENS } from './tokens.js';
