import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileExists, readFileIfPresent } from './file-io.js';
import { HF_CONFIG_FILE, HF_WEIGHTS_FILE, HF_WEIGHTS_INDEX_FILE } from './hf-files.js';
import { readSafetensorsIndex } from './safetensors-index.js';

// The cache is laid out as huggingface_hub lays it out, so Python and tunekit share it:
//   <cache>/models--<owner>--<name>/refs/<revision>        the commit hash a branch/tag is at
//   <cache>/models--<owner>--<name>/snapshots/<commit>/... files (links into blobs/)

/** The hub cache folder: `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

/** `models--owner--name`, the cache folder of a model repo. */
export function repoCacheFolder(cacheDir: string, repoId: string): string {
  return join(cacheDir, `models--${repoId.split('/').join('--')}`);
}

const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** The cached snapshot of `repoId` at `revision`, if it holds a complete model. */
export async function findCachedSnapshot(
  cacheDir: string,
  repoId: string,
  revision: string,
): Promise<string | undefined> {
  const repoDir = repoCacheFolder(cacheDir, repoId);
  const commit = COMMIT_HASH.test(revision)
    ? revision
    : (await readFileIfPresent(join(repoDir, 'refs', revision)))?.toString('utf8').trim();
  if (!commit) return undefined;
  const snapshot = join(repoDir, 'snapshots', commit);
  return (await isCompleteModelFolder(snapshot)) ? snapshot : undefined;
}

/** Whether a folder has config.json and all its weights (one file, or the index and every shard). */
export async function isCompleteModelFolder(dir: string): Promise<boolean> {
  if (!(await fileExists(join(dir, HF_CONFIG_FILE)))) return false;
  if (await fileExists(join(dir, HF_WEIGHTS_FILE))) return true;
  const indexPath = join(dir, HF_WEIGHTS_INDEX_FILE);
  if (!(await fileExists(indexPath))) return false;
  const { shards } = await readSafetensorsIndex(indexPath);
  for (const shard of shards) if (!(await fileExists(join(dir, shard)))) return false;
  return true;
}
