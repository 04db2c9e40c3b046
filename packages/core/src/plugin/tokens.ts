import type { InjectionToken } from 'tsyringe';
import type { Backend, BackendFactory } from '../backend/backend.js';
import type { ModelQuantizer } from '../models/index.js';
import type { LinearDispatcher } from '../peft/index.js';
import type { OptimizerFactory } from '../train/optim/optimizer-factory.js';
import type {
  ChatTemplate,
  DatasetFormat,
  Logger,
  Metric,
  ModelFamily,
  PeftMethod,
  TrainerCallback,
} from './extension-points.js';

/**
 * Every dependency-injection token of tunekit. `Symbol.for` keys live in the process-wide symbol
 * registry, so two copies of `@tunekit/core` in one `node_modules` still agree on them.
 */
export const TOKENS = Object.freeze({
  // Extension points: many plugins register under one token; resolve them with `resolveAll`.
  BackendFactory: Symbol.for('tunekit.BackendFactory') as InjectionToken<BackendFactory>,
  PeftMethod: Symbol.for('tunekit.PeftMethod') as InjectionToken<PeftMethod>,
  // How a method wraps a kind of base module (dense Linear, NF4); tried by priority, first match wins.
  LinearDispatcher: Symbol.for('tunekit.LinearDispatcher') as InjectionToken<LinearDispatcher>,
  // Quantize-on-load (transformers' quantizers), by `quant_method` id.
  ModelQuantizer: Symbol.for('tunekit.ModelQuantizer') as InjectionToken<ModelQuantizer>,
  ChatTemplate: Symbol.for('tunekit.ChatTemplate') as InjectionToken<ChatTemplate>,
  ModelFamily: Symbol.for('tunekit.ModelFamily') as InjectionToken<ModelFamily>,
  DatasetFormat: Symbol.for('tunekit.DatasetFormat') as InjectionToken<DatasetFormat>,
  Metric: Symbol.for('tunekit.Metric') as InjectionToken<Metric>,
  TrainerCallback: Symbol.for('tunekit.TrainerCallback') as InjectionToken<TrainerCallback>,
  // Optimizers by transformers' `optim` name (`adamw_torch`, `paged_adamw_8bit`).
  OptimizerFactory: Symbol.for('tunekit.OptimizerFactory') as InjectionToken<OptimizerFactory>,
  // Run-scoped singletons, registered on each run's child container by `createRunContainer`.
  Backend: Symbol.for('tunekit.Backend') as InjectionToken<Backend>,
  Logger: Symbol.for('tunekit.Logger') as InjectionToken<Logger>,
});
