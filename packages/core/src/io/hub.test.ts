import { createHash } from 'node:crypto';
import { mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import { loadWeights, readHfConfig } from './hf-folder.js';
import { writeModelFolder } from './hf-folder-write.js';
import { resolveModelSource } from './hub.js';
import { useTempDirs } from './test-utils.js';

const tempDir = useTempDirs();

const REPO = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const COMMIT = 'a'.repeat(40);

/** A fetch that fails the test if anything calls it. */
const noNetwork = vi.fn<typeof fetch>(async () => {
  throw new Error('the network must not be used');
});

/** A fetch that fails as Node's does when DNS has no answer. */
const unreachable: typeof fetch = async () => {
  throw new TypeError('fetch failed', {
    cause: new Error('getaddrinfo ENOTFOUND huggingface.co'),
  });
};

beforeEach(() => {
  noNetwork.mockClear();
  for (const name of ['HF_HOME', 'HF_HUB_CACHE', 'HF_HUB_OFFLINE', 'HF_TOKEN', 'HF_ENDPOINT']) {
    vi.stubEnv(name, undefined);
  }
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function tinyModel(dir: string): Promise<void> {
  await writeModelFolder(dir, {
    config: { model_type: 'llama' },
    weights: new Map([['w', HostTensor.from('f32', [2], [1, 2])]]),
    extraFiles: { 'tokenizer.json': '{}' },
  });
}

/** A cache as huggingface_hub leaves it: refs/main names the commit of a snapshot. */
async function populateCache(cacheDir: string, repo = REPO): Promise<string> {
  const repoDir = join(cacheDir, `models--${repo.replace('/', '--')}`);
  await mkdir(join(repoDir, 'refs'), { recursive: true });
  await writeFile(join(repoDir, 'refs', 'main'), COMMIT);
  const snapshot = join(repoDir, 'snapshots', COMMIT);
  await tinyModel(snapshot);
  return snapshot;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as Error;
}

describe('resolveModelSource: local', () => {
  it('returns an existing folder as given, without the network', async () => {
    const dir = await tempDir();
    expect(await resolveModelSource(dir, { fetch: noNetwork })).toBe(dir);
    expect(noNetwork).not.toHaveBeenCalled();
  });

  it('says "no such folder" for a missing path, without the network', async () => {
    const dir = await tempDir();
    for (const path of ['./no-such-model', join(dir, 'absent'), 'a/b/c', '~/models/x', 'gpt2']) {
      const error = await rejection(resolveModelSource(path, { fetch: noNetwork }));
      expect(error.message).toContain(`No such folder: ${path}.`);
    }
    expect(noNetwork).not.toHaveBeenCalled();
  });

  it('refuses a file', async () => {
    const file = join(await tempDir(), 'config.json');
    await writeFile(file, '{}');
    const error = await rejection(resolveModelSource(file, { fetch: noNetwork }));
    expect(error.message).toContain('is a file; --model takes a model folder');
  });
});

describe('resolveModelSource: hub ids from the cache', () => {
  it('uses a complete cached snapshot without the network', async () => {
    const cacheDir = await tempDir();
    const snapshot = await populateCache(cacheDir);
    expect(await resolveModelSource(REPO, { cacheDir, fetch: noNetwork })).toBe(snapshot);
    expect(await resolveModelSource(REPO, { cacheDir, revision: COMMIT, fetch: noNetwork })).toBe(
      snapshot,
    );
    expect(noNetwork).not.toHaveBeenCalled();
  });

  it('finds the cache under HF_HOME, and HF_HUB_CACHE over it', async () => {
    const home = await tempDir();
    const snapshot = await populateCache(join(home, 'hub'));
    vi.stubEnv('HF_HOME', home);
    expect(await resolveModelSource(REPO, { fetch: noNetwork })).toBe(snapshot);

    const hubCache = await tempDir();
    const other = await populateCache(hubCache);
    vi.stubEnv('HF_HUB_CACHE', hubCache);
    expect(await resolveModelSource(REPO, { fetch: noNetwork })).toBe(other);
  });

  it('does not use a snapshot missing its weights', async () => {
    const cacheDir = await tempDir();
    const snapshot = await populateCache(cacheDir);
    await writeFile(join(snapshot, 'model.safetensors.index.json'), '{"weight_map": {"w": "s1"}}');
    await rm(join(snapshot, 'model.safetensors'));
    const error = await rejection(resolveModelSource(REPO, { cacheDir, offline: true }));
    expect(error.message).toContain('holds no complete copy of it');
  });
});

describe('resolveModelSource: hub ids offline', () => {
  it('explains that the hub could not be reached and how to pass a folder', async () => {
    const cacheDir = await tempDir();
    const error = await rejection(resolveModelSource(REPO, { cacheDir, fetch: unreachable }));
    expect(error.message).toBe(
      [
        `Model "${REPO}" was not found locally: there is no folder of that name, and the Hugging Face cache (${cacheDir}) holds no complete copy of it.`,
        'The Hugging Face Hub could not be reached: fetch failed (getaddrinfo ENOTFOUND huggingface.co).',
        'To use a model on this machine, pass its folder: --model ./path/to/folder (a folder containing config.json and *.safetensors).',
      ].join('\n'),
    );
  });

  it('with HF_HUB_OFFLINE=1, does not try the network', async () => {
    const home = await tempDir();
    vi.stubEnv('HF_HOME', home);
    vi.stubEnv('HF_HUB_OFFLINE', '1');
    const error = await rejection(resolveModelSource(REPO, { fetch: noNetwork }));
    expect(error.message).toBe(
      [
        `Model "${REPO}" was not found locally: there is no folder of that name, and the Hugging Face cache (${join(home, 'hub')}) holds no complete copy of it.`,
        'The Hugging Face Hub was not contacted: HF_HUB_OFFLINE=1.',
        'To use a model on this machine, pass its folder: --model ./path/to/folder (a folder containing config.json and *.safetensors).',
      ].join('\n'),
    );
    expect(noNetwork).not.toHaveBeenCalled();
  });
});

/**
 * A fake of the hub's HTTP API, as far as model info, paths-info and file resolution go,
 * serving `files` at commit COMMIT, or answering every request with `status` when not 200.
 */
function fakeHub(files: Record<string, Buffer>, status = 200) {
  const requests: { url: string; authorization: string | null }[] = [];
  const oid = (b: Buffer) => createHash('sha1').update(b).digest('hex');
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    requests.push({ url: url.pathname, authorization: headers.get('Authorization') });
    if (status !== 200) return json({ error: 'Repository not found' });
    const path = decodeURIComponent(url.pathname);
    if (path === `/api/models/${REPO}/revision/main`) {
      return json({
        _id: '1',
        id: REPO,
        sha: COMMIT,
        siblings: [...Object.keys(files), 'README.md'].map((rfilename) => ({ rfilename })),
        lastModified: '2024-01-01T00:00:00.000Z',
      });
    }
    if (path === `/api/models/${REPO}/paths-info/${COMMIT}`) {
      const { paths } = JSON.parse(String(init?.body)) as { paths: string[] };
      return json(
        paths.map((p) => ({
          path: p,
          type: 'file',
          oid: oid(files[p]),
          size: files[p].length,
          lastCommit: { id: COMMIT, title: 'upload', date: '2024-01-01T00:00:00.000Z' },
        })),
      );
    }
    const prefix = `/${REPO}/resolve/${COMMIT}/`;
    const file = path.startsWith(prefix) ? files[path.slice(prefix.length)] : undefined;
    if (!file)
      return new Response('', { status: 404, headers: { 'X-Error-Code': 'EntryNotFound' } });
    if (headers.get('Range') === 'bytes=0-0') {
      return new Response(file.subarray(0, 1), {
        status: 206,
        headers: { 'Content-Range': `bytes 0-0/${file.length}`, ETag: `"${oid(file)}"` },
      });
    }
    return new Response(file, { status: 200 });
  };
  return { fetch: fetchFn, requests };
}

async function filesOf(dir: string, names: string[]): Promise<Record<string, Buffer>> {
  return Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as const)),
  );
}

describe('resolveModelSource: downloading', () => {
  it('downloads a sharded model into the shared cache layout, then reuses it offline', async () => {
    const source = await tempDir();
    const weights = new Map([
      ['a', HostTensor.from('f32', [4], [1, 2, 3, 4])],
      ['b', HostTensor.from('f32', [2], [5, 6])],
    ]);
    const written = await writeModelFolder(source, {
      config: { model_type: 'llama' },
      weights,
      maxShardBytes: 16,
      extraFiles: { 'tokenizer.json': '{"v": 1}', 'notes.txt': 'not needed' },
    });
    const hub = fakeHub(await filesOf(source, written));
    const home = await tempDir();
    vi.stubEnv('HF_HOME', home);
    vi.stubEnv('HF_TOKEN', 'hf_test_token');

    const snapshot = await resolveModelSource(REPO, { fetch: hub.fetch });

    const repoDir = join(home, 'hub', 'models--HuggingFaceTB--SmolLM2-135M-Instruct');
    expect(snapshot).toBe(join(repoDir, 'snapshots', COMMIT));
    expect(await readFile(join(repoDir, 'refs', 'main'), 'utf8')).toBe(COMMIT);
    expect(await readlink(join(snapshot, 'config.json'))).toMatch(
      /^\.\.\/\.\.\/blobs\/[0-9a-f]{40}$/,
    );
    expect(await readHfConfig(snapshot)).toEqual({ model_type: 'llama' });
    expect(await readFile(join(snapshot, 'tokenizer.json'), 'utf8')).toBe('{"v": 1}');
    const loaded = await loadWeights(snapshot);
    expect(loaded.get('b')?.toArray()).toEqual([5, 6]);
    const fetched = hub.requests.map((r) => r.url).join(' ');
    expect(fetched).not.toContain('notes.txt');
    expect(fetched).not.toContain('README.md');
    expect(hub.requests.every((r) => r.authorization === 'Bearer hf_test_token')).toBe(true);

    expect(await resolveModelSource(REPO, { fetch: noNetwork })).toBe(snapshot);
    expect(noNetwork).not.toHaveBeenCalled();
  });

  it('reports a hub refusal with its status and the HF_TOKEN hint', async () => {
    const hub = fakeHub({}, 401);
    const cacheDir = await tempDir();
    const error = await rejection(resolveModelSource(REPO, { cacheDir, fetch: hub.fetch }));
    expect(error.message).toContain(`The Hugging Face Hub answered 401 for ${REPO}@main`);
    expect(error.message).toContain('needs HF_TOKEN');
    expect(error.message).toContain('--model ./path/to/folder');
  });

  it('refuses a malformed HF_TOKEN before any request', async () => {
    vi.stubEnv('HF_TOKEN', 'not-a-token');
    const error = await rejection(
      resolveModelSource(REPO, { cacheDir: await tempDir(), fetch: noNetwork }),
    );
    expect(error.message).toContain('HF_TOKEN must be a Hugging Face access token');
    expect(noNetwork).not.toHaveBeenCalled();
  });
});
