import {
  corePlugins,
  createContainer,
  parsePluginModule,
  type TunekitPlugin,
  UserError,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import type { PluginSource } from './plugin-sources.js';
import { resolvePlugin } from './resolve-plugin.js';

/**
 * tunekit's own plugin packages, loaded from the CLI's own dependencies when installed (the CLI
 * depends on them by default); a config or flag naming one is already served.
 */
const FIRST_PARTY: readonly string[] = [
  '@tunekit/backend-onnx',
  '@tunekit/peft-lora',
  '@tunekit/templates',
  '@tunekit/trainer',
];

/**
 * A container with core's plugins, the installed first-party packages and the plugins `sources`
 * name (a config's `plugins:`, `--plugin`), in that order.
 */
export async function loadPlugins(
  sources: readonly PluginSource[] = [],
): Promise<DependencyContainer> {
  const plugins: TunekitPlugin[] = [...corePlugins];
  for (const name of FIRST_PARTY) {
    const module = await importIfInstalled(name);
    if (module) plugins.push(parsePluginModule(name, module));
  }
  return createContainer([...plugins, ...(await importPlugins(sources))]);
}

/**
 * The plugins `sources` name, each found where its source says (see `resolvePlugin`) and imported
 * once, however many times it is named; tunekit's own packages are left to `loadPlugins`.
 */
export async function importPlugins(sources: readonly PluginSource[]): Promise<TunekitPlugin[]> {
  const named = new Map<string, string>();
  for (const { names, from, origin } of sources) {
    for (const name of names) {
      if (FIRST_PARTY.includes(name)) continue;
      const url = resolvePlugin(name, from, origin);
      if (!named.has(url)) named.set(url, name);
    }
  }
  const plugins: TunekitPlugin[] = [];
  for (const [url, name] of named)
    plugins.push(parsePluginModule(name, await importPlugin(url, name)));
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
