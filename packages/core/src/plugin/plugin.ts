import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { describeZodIssues, UserError } from '../errors/index.js';

/**
 * What every plugin package exports as `plugin`. `register` adds values and factories to the
 * container (`useValue`, `useFactory`) under `TOKENS`; never decorated classes, never tsyringe's
 * global `container`.
 */
export interface TunekitPlugin {
  /** The npm package name, used in messages. */
  readonly name: string;
  /** The semver range of `@tunekit/core` the plugin was built for; checked when it is loaded. */
  readonly coreRange: string;
  register(container: DependencyContainer): void;
}

type Register = TunekitPlugin['register'];

/** The shape of a plugin object. `z.custom` keeps `register` itself (z.function would wrap it). */
export const pluginSchema = z.object({
  name: z.string().min(1),
  coreRange: z.string().min(1),
  register: z.custom<Register>(
    (value) => typeof value === 'function',
    'expected a function register(container)',
  ),
});

/** The shape of a plugin package's module namespace: it exports `plugin`. */
export const pluginModuleSchema = z.object({ plugin: pluginSchema });

/**
 * Checks that `moduleExports` (the namespace of `await import(source)`) exports a valid `plugin`.
 * `source` is the package name or path it was imported from, for the message.
 */
export function parsePluginModule(source: string, moduleExports: unknown): TunekitPlugin {
  // a module with no `plugin` at all is named by what it does export (a default, a class...)
  const names =
    typeof moduleExports === 'object' && moduleExports !== null ? Object.keys(moduleExports) : [];
  if (!names.includes('plugin'))
    throw new UserError(
      `${notAPlugin(source)}; it exports ${names.length > 0 ? names.map((n) => `\`${n}\``).join(', ') : 'nothing'}`,
    );
  const parsed = pluginModuleSchema.safeParse(moduleExports);
  if (!parsed.success)
    throw new UserError(`${notAPlugin(source)}: ${describeZodIssues(parsed.error)}`);
  // The export itself, not zod's stripped copy: a plugin object may keep state its register uses.
  return (moduleExports as { readonly plugin: TunekitPlugin }).plugin;
}

/** Checks one plugin object (as passed to `createContainer`). */
export function parsePlugin(source: string, value: unknown): TunekitPlugin {
  const parsed = pluginSchema.safeParse(value);
  if (!parsed.success)
    throw new UserError(
      `${notAPlugin(source)}: ${describeZodIssues(parsed.error, { root: 'plugin' })}`,
    );
  return value as TunekitPlugin;
}

function notAPlugin(source: string): string {
  return `plugin '${source}' does not export \`plugin\` with name, coreRange and register(container)`;
}
