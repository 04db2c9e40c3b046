import type { DependencyContainer } from 'tsyringe';
import type { Backend, BackendFactory, BackendOptions } from '../backend/backend.js';
import { UserError } from '../errors/index.js';
import { parseBackendOptions } from './backend-options.js';
import { resolveAllOf, resolveById } from './registry.js';
import { TOKENS } from './tokens.js';

/**
 * Creates the backend a run uses: the one named `id`, or else the available factory with the
 * highest priority (`resolveBackendFactory`). `opts.backendOptions` are parsed by that backend's
 * own schema (`createBackend`).
 */
export async function resolveBackend(
  container: DependencyContainer,
  id?: string,
  opts?: BackendOptions,
): Promise<Backend> {
  return createBackend(container, await resolveBackendFactory(container, id), opts);
}

/**
 * The factory of the backend a run uses: the one named `id`, or else the available factory with
 * the highest priority (ties go to the smaller id, so the choice is stable). A factory whose
 * `isAvailable` throws counts as unavailable, and the reason is reported if none is left.
 */
export async function resolveBackendFactory(
  container: DependencyContainer,
  id?: string,
): Promise<BackendFactory> {
  if (id !== undefined) {
    const factory = resolveById(container, TOKENS.BackendFactory, id, 'backend');
    const availability = await probe(factory);
    if (availability !== true)
      throw new UserError(`backend '${id}' is not available here: ${availability}`);
    return factory;
  }
  const factories = resolveAllOf(container, TOKENS.BackendFactory).sort(
    (a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const reasons: string[] = [];
  for (const factory of factories) {
    const availability = await probe(factory);
    if (availability === true) return factory;
    reasons.push(`${factory.id}: ${availability}`);
  }
  if (factories.length === 0) {
    throw new UserError(
      'no backend is registered; pass corePlugins (the reference backend) to createContainer',
    );
  }
  throw new UserError(`no registered backend is available here (${reasons.join('; ')})`);
}

/**
 * The backend `factory` makes, its own options (`opts.backendOptions`, as a config or flags give
 * them) parsed by its schema first, every default filled in; a bad option is a UserError starting
 * with `source` (default: the backend's id).
 */
export function createBackend(
  container: DependencyContainer,
  factory: BackendFactory,
  opts: BackendOptions = {},
  source = `backend '${factory.id}'`,
): Backend | Promise<Backend> {
  const backendOptions = parseBackendOptions(container, factory, opts.backendOptions, source);
  return factory.create({ ...opts, backendOptions });
}

/** `true`, or why the factory cannot be used. */
async function probe(factory: BackendFactory): Promise<true | string> {
  try {
    return (await factory.isAvailable()) ? true : 'isAvailable() returned false';
  } catch (error) {
    return `isAvailable() threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}
