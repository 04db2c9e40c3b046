import type { DependencyContainer } from 'tsyringe';
import { findPlugins, loadPlugins } from './load-plugins.js';
import { flagPlugins, recordPlugins } from './plugin-sources.js';

/**
 * The container of a command that runs an adapter or model folder: the plugins its training record
 * lists (missing ones reported to `warn`), then those of `--plugin`.
 */
export async function loadFolderPlugins(
  folder: string | undefined,
  flagNames: readonly string[] | undefined,
  warn: (line: string) => void,
): Promise<DependencyContainer> {
  return loadPlugins(findPlugins([await recordPlugins(folder, warn), flagPlugins(flagNames)]));
}
