import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * tunekit's own cache folder, for what it derives and can rebuild (compiled backend sessions):
 * `TUNEKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/tunekit`, else `~/.cache/tunekit`. It sits beside the
 * Hugging Face hub cache, not in it: that one holds hub repos in huggingface_hub's layout and is
 * shared with Python, while these files belong to one tunekit install and one machine.
 */
export function tunekitCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TUNEKIT_CACHE_DIR) return env.TUNEKIT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tunekit');
}
