import {
  type Backend,
  type BackendConfig,
  type BackendFactory,
  createBackend,
  resolveBackendFactory,
  UserError,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import type { BackendSetting } from './backend-section.js';
import type { TrainingRecord } from './training-record.js';

/** Which backend a command that loads a model runs on (`--backend`, `--backend-option`). */
export interface BackendChoice {
  /** The backend by id; default the one the run trained on, else the best available one. */
  readonly backend?: string;
  /**
   * The backend's own options (`--backend-option key=value`), checked by its schema; each one
   * overrides the trained run's option of that name (`openInferenceBackend`).
   */
  readonly backendOptions?: BackendConfig;
}

/** The backend `chooseInferenceBackend` picked, the options it gets, and why. */
export interface InferenceBackend {
  readonly factory: BackendFactory;
  readonly backendOptions: BackendConfig;
  /** Which backend runs and why, one line; only for a model or adapter with a training record. */
  readonly note?: string;
}

const OVERRIDE = '--backend <id> picks another';

/**
 * The backend that eval, chat, generate and embed run a model on: `choice.backend`, else the one
 * the run in `record` trained on (its config's `backend:`), else the best available one. When that
 * is the backend the run trained on, the run's `backend_options` (f16 weights, say) apply again,
 * each overridden by one of `choice`'s. The run's backend not being usable here is a one-line
 * UserError that says how to pick another. Without a record nothing is carried and nothing noted.
 */
export async function chooseInferenceBackend(
  container: DependencyContainer,
  choice: BackendChoice,
  record?: TrainingRecord,
): Promise<InferenceBackend> {
  const trained: BackendSetting = record?.config ?? {};
  const factory =
    choice.backend === undefined && trained.backend !== undefined
      ? await trainedFactory(container, trained.backend)
      : await resolveBackendFactory(container, choice.backend);
  const reused = trained.backend === factory.id ? trained.backend_options : undefined;
  return {
    factory,
    backendOptions: { ...reused, ...choice.backendOptions },
    note: record && `note: backend ${factory.id}, ${why(factory.id, choice, trained)}`,
  };
}

/**
 * The backend `chooseInferenceBackend` picks, created with its options; then its note, if any,
 * goes to `choice.warn` (default `console.warn`).
 */
export async function openInferenceBackend(
  container: DependencyContainer,
  choice: BackendChoice & { readonly warn?: (line: string) => void },
  record?: TrainingRecord,
): Promise<Backend> {
  const { factory, backendOptions, note } = await chooseInferenceBackend(container, choice, record);
  const backend = await createBackend(container, factory, { backendOptions });
  if (note !== undefined) (choice.warn ?? console.warn)(note);
  return backend;
}

/** The factory of the run's backend, or a UserError naming it and how to run on another. */
async function trainedFactory(container: DependencyContainer, id: string): Promise<BackendFactory> {
  try {
    return await resolveBackendFactory(container, id);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const reason = error.message.split('\n')[0];
    const other = await resolveBackendFactory(container).then(
      (factory) => ` (e.g. --backend ${factory.id})`,
      () => '',
    );
    throw new UserError(
      `the run trained on backend '${id}' (backend: in its training_record.json), which cannot run here: ${reason}; pass --backend <id> to run on another${other}`,
    );
  }
}

/** Why `id` runs for a run trained with `trained`: the flag, the run's, or the best available. */
function why(id: string, choice: BackendChoice, trained: BackendSetting): string {
  const options = trained.backend_options === undefined ? '' : ' with its backend_options';
  if (choice.backend === undefined)
    return trained.backend === undefined
      ? `the best available one (the run named none); ${OVERRIDE}`
      : `the one the run trained on (its training_record.json)${options}; ${OVERRIDE}`;
  if (trained.backend === undefined) return 'as --backend names (the run named none)';
  if (trained.backend === id) return `as --backend names, the one the run trained on${options}`;
  const dropped = options === '' ? '' : ', whose backend_options do not apply here';
  return `as --backend names; the run trained on ${trained.backend}${dropped}`;
}
