import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { resolveModelSource, UserError } from '@tunekit/core';

/**
 * The local folder of a model name: a folder relative to `baseDir`, or else a Hub id resolved
 * through the Hugging Face cache. A name that looks like a path (`./m`, `../m`, `/m`) is always
 * read as one, so a typo is reported as a missing folder. With `configFile` the name is that
 * file's `model:` key (relative to the file's folder), and every error names the file and key.
 */
export async function resolveModelFolder(
  model: string,
  baseDir: string,
  configFile?: string,
): Promise<string> {
  const local = resolve(baseDir, model);
  const looksLikePath = isAbsolute(model) || model.startsWith('.');
  if (configFile === undefined)
    return resolveModelSource(existsSync(local) || looksLikePath ? local : model);

  const at = `${configFile}: model: ${model}`;
  const found = statSync(local, { throwIfNoEntry: false });
  if (found?.isDirectory()) return local;
  if (found)
    throw new UserError(
      `${at}: ${local} is a file; model: takes a model folder (containing config.json and *.safetensors) or a Hugging Face Hub id`,
    );
  if (looksLikePath)
    throw new UserError(
      `${at}: no such folder ${local} (a relative path starts at the config file's folder)`,
    );
  return resolveModelSource(model).catch((error: unknown) => {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(
      `${at}: no folder ${local}, and as a Hugging Face Hub id: ${error.message}`,
    );
  });
}
