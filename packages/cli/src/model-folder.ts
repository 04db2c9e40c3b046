import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { resolveModelSource } from '@tunekit/core';

/**
 * The local folder of a config's `model`: a folder relative to `baseDir` (the config file's), or
 * else a Hub id resolved through the Hugging Face cache. A name that looks like a path (`./m`,
 * `../m`, `/m`) is always read as one, so a typo is reported as a missing folder.
 */
export async function resolveModelFolder(model: string, baseDir: string): Promise<string> {
  const local = resolve(baseDir, model);
  const looksLikePath = isAbsolute(model) || model.startsWith('.');
  return resolveModelSource(existsSync(local) || looksLikePath ? local : model);
}
