import {
  corePlugins,
  createContainer,
  parsePluginModule,
  type TunekitPlugin,
  UserError,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import type { PluginSource } from './plugin-sources.js';
import { type FoundPlugin, PluginNotFoundError, resolvePlugin } from './resolve-plugin.js';

/**
 * tunekit's own plugin packages, loaded from the CLI's own dependencies when installed (the CLI
 * depends on them by default, except @tunekit/peft-qlora, which users add beside it); a config or
 * flag naming one is already served.
 */
const FIRST_PARTY: readonly string[] = [
  '@tunekit/backend-onnx',
  '@tunekit/backend-webgpu',
  '@tunekit/peft-lora',
  '@tunekit/peft-prefix',
  '@tunekit/peft-qlora',
  '@tunekit/templates',
  '@tunekit/trainer',
];

/**
 * A container with core's plugins, the installed first-party packages and the plugins `found`
 * (`findPlugins`), in that order.
 */
export async function loadPlugins(
  found: readonly FoundPlugin[] = [],
): Promise<DependencyContainer> {
  const plugins: TunekitPlugin[] = [...corePlugins];
  for (const name of FIRST_PARTY) {
    const module = await importIfInstalled(name);
    if (module) plugins.push(parsePluginModule(name, module));
  }
  return createContainer([...plugins, ...(await importPlugins(found))]);
}

/**
 * The plugins `sources` name, each found where its source says (see `resolvePlugin`) and listed
 * once, however many times it is named; tunekit's own packages are left to `loadPlugins`.
 */
export function findPlugins(sources: readonly PluginSource[]): FoundPlugin[] {
  const found = new Map<string, FoundPlugin>();
  for (const { names, from, origin, onMissing } of sources) {
    for (const name of names) {
      if (FIRST_PARTY.includes(name)) continue;
      const plugin = resolveOrReport(name, from, origin, onMissing);
      if (plugin && !found.has(plugin.url)) found.set(plugin.url, plugin);
    }
  }
  return [...found.values()];
}

function resolveOrReport(
  name: string,
  from: readonly string[],
  origin: string,
  onMissing: ((message: string) => void) | undefined,
): FoundPlugin | undefined {
  try {
    return resolvePlugin(name, from, origin);
  } catch (error) {
    if (!(onMissing && error instanceof PluginNotFoundError)) throw error;
    onMissing(error.message);
    return undefined;
  }
}

/** The plugins `found` (`findPlugins`), imported and checked. */
export async function importPlugins(found: readonly FoundPlugin[]): Promise<TunekitPlugin[]> {
  const plugins: TunekitPlugin[] = [];
  for (const { specifier, url } of found)
    plugins.push(parsePluginModule(specifier, await importPlugin(url, specifier)));
  return plugins;
}

async function importPlugin(url: string, name: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (cause) {
    // the plugin's own code or dependencies failed (a missing @tunekit/core, a syntax error)
    throw new UserError(`plugin '${name}' (${url}) failed to load: ${(cause as Error).message}`, {
      cause,
    });
  }
}

async function importIfInstalled(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing =
      code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(name);
    if (missing) return undefined;
    throw error;
  }
}
