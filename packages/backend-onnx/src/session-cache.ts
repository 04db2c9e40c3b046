import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

export interface SessionCacheOptions {
  /** The folder of cached models (created when first written). */
  readonly dir: string;
  /** The folder is trimmed to this many bytes, least recently used first; default 256 MiB. */
  readonly maxBytes?: number;
  /**
   * Only sessions whose creation took at least this long are kept (default 1000 ms): a small graph
   * is optimized faster than its file is read, and the many small graphs of tests and generation
   * would only churn the cache.
   */
  readonly minCreateMs?: number;
  /** The onnxruntime version in the key; default the loaded one. Tests change it. */
  readonly ortVersion?: string;
}

const MODEL_SUFFIX = '.onnx';
/** The files this cache writes (models and pending ones): trimming touches nothing else. */
const CACHE_FILE = /^[0-9a-f]{64}(\.onnx|\.[0-9a-f]{8}\.tmp)$/;

/**
 * onnxruntime's optimized models on disk (`SessionOptions.optimizedModelFilePath`), so that the
 * second start of a job loads the graph onnxruntime optimized at the first and skips the graph
 * transformers (SmolLM2-135M LoRA's training step: 13 s to optimize, under 3 s to load; see
 * bench/README.md). A model is keyed by the lowered graph's bytes, the onnxruntime version, the
 * session options and the CPU: an optimized model holds kernels' fused ops and layouts chosen for
 * the CPU it was made on. Only graphs with nothing baked in are cached (the executable checks):
 * frozen weights as initializers would put values that change into the file.
 */
export class SessionCache {
  readonly dir: string;
  readonly minCreateMs: number;
  private readonly maxBytes: number;
  private readonly runtime: string;

  constructor(opts: SessionCacheOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes ?? 256 * 2 ** 20;
    this.minCreateMs = opts.minCreateMs ?? 1000;
    const version = opts.ortVersion ?? ort.env.versions.node ?? ort.env.versions.common;
    this.runtime = JSON.stringify([version, process.platform, process.arch, cpus()[0]?.model]);
  }

  /** The key of a model's optimized form under these session options. */
  key(model: Uint8Array, session: ort.InferenceSession.SessionOptions): string {
    // left out: what does not change the optimized model (externalData is empty: nothing is baked in)
    const {
      optimizedModelFilePath: _,
      logSeverityLevel: __,
      externalData: ___,
      ...options
    } = session;
    return createHash('sha256')
      .update(this.runtime)
      .update(JSON.stringify(options))
      .update(model)
      .digest('hex');
  }

  /** The cached model's path, if there is one; it becomes the most recently used. */
  async lookup(key: string): Promise<string | undefined> {
    const path = this.pathOf(key);
    const now = new Date();
    try {
      await utimes(path, now, now);
      return path;
    } catch {
      return undefined;
    }
  }

  /**
   * A fresh path for onnxruntime to write the optimized model of `key` to, then `commit`; none if
   * the folder cannot be made (the cache is an optimisation: a read-only disk only makes it miss).
   */
  async pendingPath(key: string): Promise<string | undefined> {
    try {
      await mkdir(this.dir, { recursive: true });
      return join(this.dir, `${key}.${randomBytes(4).toString('hex')}.tmp`);
    } catch {
      return undefined;
    }
  }

  /** Moves a written model into place (a rename: readers see the whole file or none), then trims. */
  async commit(pending: string, key: string): Promise<void> {
    try {
      await rename(pending, this.pathOf(key));
      await this.trim();
    } catch {
      await this.discard(pending);
    }
  }

  async discard(path: string): Promise<void> {
    await rm(path, { force: true }).catch(() => {});
  }

  /** Deletes the least recently used files until the folder holds at most `maxBytes`. */
  private async trim(): Promise<void> {
    const files = await Promise.all(
      (await readdir(this.dir))
        .filter((name) => CACHE_FILE.test(name))
        .map(async (name) => {
          const path = join(this.dir, name);
          const s = await stat(path).catch(() => undefined);
          return { path, size: s?.size ?? 0, used: s?.mtimeMs ?? 0 };
        }),
    );
    files.sort((a, b) => b.used - a.used);
    let total = 0;
    for (const file of files) {
      total += file.size;
      if (total > this.maxBytes) await rm(file.path, { force: true });
    }
  }

  private pathOf(key: string): string {
    return join(this.dir, `${key}${MODEL_SUFFIX}`);
  }
}
