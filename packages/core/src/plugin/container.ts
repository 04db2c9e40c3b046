import '../reflect.js';
import semver from 'semver';
import { type DependencyContainer, container as globalContainer } from 'tsyringe';
import type { Backend } from '../backend/backend.js';
import { UserError } from '../errors/index.js';
import { CORE_VERSION } from './core-version.js';
import type { Logger } from './extension-points.js';
import { parsePlugin, type TunekitPlugin } from './plugin.js';
import { withProvenance } from './provenance.js';
import { TOKENS } from './tokens.js';

/**
 * A fresh root container holding what `plugins` register. It is a child of tsyringe's global
 * container, so the global stays clean and two calls never share registrations. Each plugin's
 * shape and `coreRange` are checked before any `register` runs, so a bad plugin leaves nothing
 * half-registered. Pass `corePlugins` (core's own reference backend) along with the packages' ones.
 */
export function createContainer(plugins: readonly TunekitPlugin[]): DependencyContainer {
  const checked = plugins.map((value, index) => parsePlugin(pluginLabel(value, index), value));
  const seen = new Set<string>();
  for (const plugin of checked) {
    if (seen.has(plugin.name))
      throw new UserError(`plugin '${plugin.name}' is listed twice; load each plugin once`);
    seen.add(plugin.name);
    checkCoreRange(plugin);
  }
  const root = globalContainer.createChildContainer();
  for (const plugin of checked) {
    try {
      plugin.register(withProvenance(root, plugin.name));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new UserError(`plugin '${plugin.name}' failed to register: ${reason}`, { cause });
    }
  }
  return root;
}

/** Throws a `UserError` naming both versions when core's version is outside the plugin's range. */
export function checkCoreRange(
  plugin: Pick<TunekitPlugin, 'name' | 'coreRange'>,
  coreVersion = CORE_VERSION,
): void {
  if (semver.validRange(plugin.coreRange) === null) {
    throw new UserError(
      `plugin '${plugin.name}' has coreRange '${plugin.coreRange}', which is not a semver range (e.g. '^${coreVersion}')`,
    );
  }
  if (!semver.satisfies(coreVersion, plugin.coreRange, { includePrerelease: true })) {
    throw new UserError(
      `plugin '${plugin.name}' needs @tunekit/core ${plugin.coreRange}, but @tunekit/core is ${coreVersion}; ` +
        `install a version of '${plugin.name}' built for @tunekit/core ${coreVersion}`,
    );
  }
}

export interface RunScope {
  readonly backend: Backend;
  readonly logger: Logger;
}

/**
 * A child of `root` for one run, holding the run's `Backend` and `Logger` for the factories of its
 * plugins (a run's own typed settings, such as the trainer's arguments, are registered on it by the
 * package that parsed them). The run owns the backend: `await run.dispose()` disposes what the
 * container built and then the backend (tsyringe itself never disposes `useValue` registrations).
 */
export function createRunContainer(
  root: DependencyContainer,
  scope: RunScope,
): DependencyContainer {
  const run = root.createChildContainer();
  run.register(TOKENS.Backend, { useValue: scope.backend });
  run.register(TOKENS.Logger, { useValue: scope.logger });
  const disposeContainer = run.dispose.bind(run);
  run.dispose = async () => {
    await disposeContainer();
    await scope.backend.dispose();
  };
  return run;
}

function pluginLabel(value: unknown, index: number): string {
  if (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    typeof value.name === 'string'
  ) {
    return value.name;
  }
  return `#${index + 1}`;
}
