import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors/index.js';
import { isNotFound } from './file-io.js';
import { findCachedSnapshot, hubCacheDir, repoCacheFolder } from './hf-cache.js';
import {
  HF_COMPANION_FILES,
  HF_CONFIG_FILE,
  HF_WEIGHTS_FILE,
  HF_WEIGHTS_INDEX_FILE,
} from './hf-files.js';
import { readSafetensorsIndex } from './safetensors-index.js';

// The one module that touches the network. Everything it downloads lands in the shared
// Hugging Face cache (see hf-cache.ts), and a complete cached snapshot is used as is.
// @huggingface/hub is imported only when a download is needed: it is slow to load, and most
// commands run on local folders.

export interface ModelSourceOptions {
  /** Hub cache folder; default `HF_HUB_CACHE`, `$HF_HOME/hub` or `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Branch, tag or commit hash; default `main`. */
  revision?: string;
  /** Never contact the hub; default from `HF_HUB_OFFLINE`. */
  offline?: boolean;
  /** Access token for private or gated models; default `HF_TOKEN`. */
  accessToken?: string;
  /** Hub address; default `HF_ENDPOINT`, else huggingface.co. */
  hubUrl?: string;
  /** The fetch used for every request (tests inject one; a proxy may too). */
  fetch?: typeof fetch;
}

const LOCAL_FOLDER_HINT =
  'To use a model on this machine, pass its folder: --model ./path/to/folder (a folder containing config.json and *.safetensors).';

/**
 * A local model folder for `idOrPath`: an existing folder is returned as given; a hub id
 * (`owner/name`) resolves to its snapshot in the Hugging Face cache, downloading config,
 * tokenizer files and safetensors weights first when the cache lacks them.
 */
export async function resolveModelSource(
  idOrPath: string,
  opts: ModelSourceOptions = {},
): Promise<string> {
  const local = await statIfPresent(idOrPath);
  if (local?.isDirectory()) return idOrPath;
  if (local)
    throw new UserError(
      `${idOrPath} is a file; --model takes a model folder. ${LOCAL_FOLDER_HINT}`,
    );
  if (!isHubId(idOrPath)) {
    throw new UserError(
      `No such folder: ${idOrPath}. --model takes a model folder (containing config.json and *.safetensors) or a Hugging Face Hub id such as HuggingFaceTB/SmolLM2-135M-Instruct.`,
    );
  }
  const env = process.env;
  const cacheDir = opts.cacheDir ?? hubCacheDir(env);
  const revision = opts.revision ?? 'main';
  const cached = await findCachedSnapshot(cacheDir, idOrPath, revision);
  if (cached) return cached;

  const notLocal = `Model "${idOrPath}" was not found locally: there is no folder of that name, and the Hugging Face cache (${cacheDir}) holds no complete copy of it.`;
  const offline = opts.offline ?? isTrue(env.HF_HUB_OFFLINE);
  if (offline) {
    const why =
      opts.offline === undefined ? `HF_HUB_OFFLINE=${env.HF_HUB_OFFLINE}` : 'offline mode is on';
    throw new UserError(
      `${notLocal}\nThe Hugging Face Hub was not contacted: ${why}.\n${LOCAL_FOLDER_HINT}`,
    );
  }
  const accessToken = opts.accessToken ?? env.HF_TOKEN;
  if (accessToken && !accessToken.startsWith('hf_')) {
    throw new UserError('HF_TOKEN must be a Hugging Face access token, starting with "hf_"');
  }
  const params = {
    cacheDir,
    accessToken,
    hubUrl: opts.hubUrl ?? env.HF_ENDPOINT,
    fetch: opts.fetch,
  };
  const hub = await import('@huggingface/hub');
  try {
    return await download(hub, idOrPath, revision, params);
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (err instanceof hub.HubApiError) {
      throw new UserError(
        `${notLocal}\nThe Hugging Face Hub answered ${err.statusCode} for ${idOrPath}@${revision}: check the id and revision; a private or gated model needs HF_TOKEN.\n${LOCAL_FOLDER_HINT}`,
      );
    }
    if ((err as NodeJS.ErrnoException).path !== undefined) {
      throw new UserError(
        `Cannot write the Hugging Face cache ${cacheDir} (${oneLine(err)}); set HF_HOME to a writable folder.`,
      );
    }
    throw new UserError(
      `${notLocal}\nThe Hugging Face Hub could not be reached: ${oneLine(err)}.\n${LOCAL_FOLDER_HINT}`,
    );
  }
}

interface HubParams {
  cacheDir: string;
  accessToken: string | undefined;
  hubUrl: string | undefined;
  fetch: typeof fetch | undefined;
}

/** Downloads what a model folder needs at `revision`; returns its snapshot folder. */
async function download(
  hub: typeof import('@huggingface/hub'),
  id: string,
  revision: string,
  params: HubParams,
): Promise<string> {
  const info = await hub.modelInfo({
    ...params,
    name: id,
    revision,
    additionalFields: ['sha', 'filePaths'],
  });
  const commit = info.sha;
  const available = new Set(info.filePaths);
  const get = (path: string) =>
    hub.downloadFileToCacheDir({
      ...params,
      repo: { type: 'model', name: id },
      path,
      revision: commit,
    });

  if (!available.has(HF_CONFIG_FILE)) {
    throw new UserError(
      `${id} on the Hugging Face Hub has no config.json; it is not a transformers model`,
    );
  }
  await get(HF_CONFIG_FILE);
  for (const name of HF_COMPANION_FILES) if (available.has(name)) await get(name);
  if (available.has(HF_WEIGHTS_FILE)) {
    await get(HF_WEIGHTS_FILE);
  } else if (available.has(HF_WEIGHTS_INDEX_FILE)) {
    const index = await readSafetensorsIndex(await get(HF_WEIGHTS_INDEX_FILE));
    for (const shard of index.shards) await get(shard);
  } else {
    throw new UserError(
      `${id} on the Hugging Face Hub has no ${HF_WEIGHTS_FILE} or ${HF_WEIGHTS_INDEX_FILE}; tunekit loads safetensors weights only`,
    );
  }
  const repoDir = repoCacheFolder(params.cacheDir, id);
  if (revision !== commit) {
    const ref = join(repoDir, 'refs', revision);
    await mkdir(dirname(ref), { recursive: true });
    await writeFile(ref, commit);
  }
  return join(repoDir, 'snapshots', commit);
}

/** `owner/name` as the hub spells repo ids; paths like `./x`, `/x`, `~/x`, `a/b/c` are not. */
function isHubId(s: string): boolean {
  return (
    /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(s) && !s.includes('..') && !s.includes('--')
  );
}

/** huggingface_hub's reading of boolean environment variables. */
function isTrue(value: string | undefined): boolean {
  return ['1', 'ON', 'YES', 'TRUE'].includes((value ?? '').toUpperCase());
}

/** An error and its cause (fetch puts the DNS or socket failure there), on one line. */
function oneLine(err: unknown): string {
  const e = err as Error;
  const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
  return `${e.message ?? String(err)}${cause}`.replace(/\s+/g, ' ');
}

async function statIfPresent(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
