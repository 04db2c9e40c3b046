import { checkDataOutput } from '@tunekit/data-tools';
import type { DataFlags } from './data-context.js';

/**
 * Checks every output a command will write, by the flag that names it (absent ones are not asked
 * for), before anything is read: none may be an input, or an existing file without --overwrite.
 */
export async function checkOutputs(
  outputs: Readonly<Record<string, string | undefined>>,
  inputs: readonly string[],
  flags: DataFlags,
): Promise<void> {
  for (const [flag, path] of Object.entries(outputs))
    if (path !== undefined)
      await checkDataOutput(path, { flag, overwrite: flags.overwrite, inputPaths: inputs });
}
