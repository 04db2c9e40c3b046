import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '@tunekit/core';

/** Plugins named in one place, and the folders they are resolved from, in order. */
export interface PluginSource {
  /** Package names or paths, as written. */
  readonly names: readonly string[];
  /** Where they were written, for messages: `plugins: in train.yaml`, `--plugin`. */
  readonly origin: string;
  readonly from: readonly string[];
  /**
   * Set where a missing plugin is not fatal (an adapter's record: `--plugin` may provide it, or
   * the command may not need it): it is reported here and skipped.
   */
  readonly onMissing?: (message: string) => void;
}

/** A config file's `plugins:`, resolved from the file's folder, then the working directory. */
export function configPlugins(file: string, names: readonly string[]): PluginSource {
  return { names, origin: `plugins: in ${file}`, from: [dirname(resolve(file)), process.cwd()] };
}

/** The `--plugin` flags, resolved from the working directory. */
export function flagPlugins(names: readonly string[] = []): PluginSource {
  return { names, origin: '--plugin', from: [process.cwd()] };
}

/**
 * The plugins that trained the adapter or model in `folder` (a config's `plugins:` and
 * `--plugin`), as its training record keeps them (paths absolute), resolved from that folder,
 * then the working directory. None when `folder` is not a local folder (a hub id) or has no
 * record (an adapter made elsewhere).
 */
export async function recordPlugins(
  folder: string | undefined,
  warn: (line: string) => void,
): Promise<PluginSource> {
  const isFolder =
    folder !== undefined && statSync(folder, { throwIfNoEntry: false })?.isDirectory();
  if (!isFolder) return { names: [], origin: '', from: [] };
  // loaded only for a folder: `template render` of a tokenizer_config.json starts without the trainer
  const { readTrainingRecord, TRAINING_RECORD_FILE } = await import('@tunekit/trainer');
  const record = await readTrainingRecord(folder);
  const names = record?.plugins ?? [];
  const file = join(folder, TRAINING_RECORD_FILE);
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string'))
    throw new UserError(`${file}: plugins: expected a list of package names or paths`);
  return {
    names,
    origin: `plugins: in ${file}`,
    from: [resolve(folder), process.cwd()],
    onMissing: (message) =>
      warn(
        `warning: ${message}; going on without it (--plugin <name|path> loads it from elsewhere)`,
      ),
  };
}
