import {
  corePlugins,
  createContainer,
  parsePluginModule,
  type TunekitPlugin,
  UserError,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';

/** tunekit's own plugin packages, used when installed (the CLI depends on them by default). */
const FIRST_PARTY = [
  '@tunekit/backend-onnx',
  '@tunekit/peft-lora',
  '@tunekit/templates',
  '@tunekit/trainer',
] as const;

/**
 * A container with core's plugins, the installed first-party packages and the packages a config
 * names (`plugins: [tunekit-peft-ia3]`); a named package that is missing or not a plugin is an
 * error naming it.
 */
export async function loadPlugins(named: readonly string[] = []): Promise<DependencyContainer> {
  const plugins: TunekitPlugin[] = [...corePlugins];
  for (const name of FIRST_PARTY) {
    const module = await importIfInstalled(name);
    if (module) plugins.push(parsePluginModule(name, module));
  }
  for (const name of named) {
    const module = await importIfInstalled(name);
    if (!module) throw new UserError(`plugin '${name}' is not installed (npm install ${name})`);
    plugins.push(parsePluginModule(name, module));
  }
  return createContainer(plugins);
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
