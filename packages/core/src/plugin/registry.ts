import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { Backend, BackendFactory, BackendOptions } from '../backend/backend.js';
import { UserError } from '../errors/index.js';
import { provenanceOf } from './provenance.js';
import { TOKENS } from './tokens.js';

/** Everything registered under a multi-registration token; none registered is an empty list. */
export function resolveAllOf<T>(container: DependencyContainer, token: InjectionToken<T>): T[] {
  return container.isRegistered(token, true) ? container.resolveAll(token) : [];
}

/** The sorted ids registered under `token`. */
export function listIds<T extends { readonly id: string }>(
  container: DependencyContainer,
  token: InjectionToken<T>,
): string[] {
  return resolveAllOf(container, token)
    .map((entry) => entry.id)
    .sort();
}

/**
 * The entry registered under `token` with this `id`. `kind` names it in errors ('peft method',
 * 'backend'): an unknown id lists the registered ones, and an id registered twice names the
 * plugins that registered it.
 */
export function resolveById<T extends { readonly id: string }>(
  container: DependencyContainer,
  token: InjectionToken<T>,
  id: string,
  kind: string,
): T {
  const entries = resolveAllOf(container, token);
  const matches = entries.filter((entry) => entry.id === id);
  if (matches.length > 1) {
    const by = matches.map((entry) => `'${provenanceOf(entry) ?? 'an unnamed plugin'}'`).join(', ');
    throw new UserError(
      `${kind} '${id}' is registered more than once (by ${by}); ids must be unique, so load only one of these plugins`,
    );
  }
  const [match] = matches;
  if (match === undefined) {
    const ids = [...new Set(entries.map((entry) => entry.id))].sort();
    throw new UserError(
      `unknown ${kind} '${id}'; registered: ${ids.length > 0 ? ids.join(', ') : 'none'}`,
    );
  }
  return match;
}

/**
 * Creates the backend a run uses: the one named `id`, or else the available factory with the
 * highest priority (ties go to the smaller id, so the choice is stable). A factory whose
 * `isAvailable` throws counts as unavailable, and the reason is reported if none is left.
 */
export async function resolveBackend(
  container: DependencyContainer,
  id?: string,
  opts?: BackendOptions,
): Promise<Backend> {
  if (id !== undefined) {
    const factory = resolveById(container, TOKENS.BackendFactory, id, 'backend');
    const availability = await probe(factory);
    if (availability !== true)
      throw new UserError(`backend '${id}' is not available here: ${availability}`);
    return factory.create(opts);
  }
  const factories = resolveAllOf(container, TOKENS.BackendFactory).sort(
    (a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const reasons: string[] = [];
  for (const factory of factories) {
    const availability = await probe(factory);
    if (availability === true) return factory.create(opts);
    reasons.push(`${factory.id}: ${availability}`);
  }
  if (factories.length === 0) {
    throw new UserError(
      'no backend is registered; pass corePlugins (the reference backend) to createContainer',
    );
  }
  throw new UserError(`no registered backend is available here (${reasons.join('; ')})`);
}

/** `true`, or why the factory cannot be used. */
async function probe(factory: BackendFactory): Promise<true | string> {
  try {
    return (await factory.isAvailable()) ? true : 'isAvailable() returned false';
  } catch (error) {
    return `isAvailable() threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}
