import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { UserError } from '../errors/index.js';
import { provenanceOf } from './provenance.js';

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
