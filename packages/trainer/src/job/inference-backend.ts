import {
  type Backend,
  type BackendConfig,
  createBackend,
  resolveBackendFactory,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import type { BackendSetting } from './backend-section.js';
import type { TrainingRecord } from './training-record.js';

/** Which backend a command that loads a model runs on (`--backend`, `--backend-option`). */
export interface BackendChoice {
  /** The backend by id; default the best available one. */
  readonly backend?: string;
  /**
   * The backend's own options (`--backend-option key=value`), checked by its schema; each one
   * overrides the trained run's option of that name (`openInferenceBackend`).
   */
  readonly backendOptions?: BackendConfig;
}

/**
 * The backend that eval, chat, generate and embed run a model on: `choice.backend`, else the best
 * available one. When that is the backend the run in `record` trained on, the run's
 * `backend_options` (f16 weights, say) apply again, each overridden by one of `choice`'s; all are
 * checked by that backend's schema.
 */
export async function openInferenceBackend(
  container: DependencyContainer,
  choice: BackendChoice,
  record?: TrainingRecord,
): Promise<Backend> {
  const factory = await resolveBackendFactory(container, choice.backend);
  const trained: BackendSetting = record?.config ?? {};
  const reused = trained.backend === factory.id ? trained.backend_options : undefined;
  return createBackend(container, factory, {
    backendOptions: { ...reused, ...choice.backendOptions },
  });
}
