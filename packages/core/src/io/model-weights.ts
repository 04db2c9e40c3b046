import { UserError } from '../errors/index.js';
import type { HostTensor } from '../tensor/index.js';
import type { FileSource } from './file-source.js';
import { type FolderInput, folderSource } from './folder-source.js';
import { HF_WEIGHTS_FILE, HF_WEIGHTS_INDEX_FILE } from './hf-files.js';
import type { SafetensorsTensorInfo } from './safetensors-header.js';
import { readSafetensorsIndex } from './safetensors-index.js';
import { SafetensorsFile } from './safetensors-read.js';

/**
 * The weights of a model folder, `model.safetensors` or the shards its index names,
 * opened lazily: only headers are read until a tensor is asked for.
 */
export class ModelWeights {
  private constructor(
    /** The open files, one per shard. */
    readonly files: readonly SafetensorsFile[],
    /** Which file holds each tensor, in file then header order. */
    private readonly owner: ReadonlyMap<string, SafetensorsFile>,
  ) {}

  /** Opens `model.safetensors` if present (as transformers prefers it), else the sharded set. */
  static async open(dir: FolderInput): Promise<ModelWeights> {
    const source = folderSource(dir);
    const single = await source.open(HF_WEIGHTS_FILE);
    if (single) {
      const file = await SafetensorsFile.open(single);
      return new ModelWeights([file], new Map(file.keys().map((k) => [k, file])));
    }
    // A source that cannot be listed (a URL) is tried for the index; a folder is listed first,
    // to name what it holds instead.
    const names = await source.list().catch((err) => {
      throw err instanceof UserError
        ? new UserError(`${source.location}: no such model folder`)
        : err;
    });
    if (!names || names.includes(HF_WEIGHTS_INDEX_FILE)) {
      const sharded = await ModelWeights.openSharded(source, names !== undefined);
      if (sharded) return sharded;
    }
    const found = (names ?? []).filter((n) => /\.(safetensors|bin|pt|pth|gguf)$/.test(n));
    throw new UserError(
      `${source.location}: no ${HF_WEIGHTS_FILE} or ${HF_WEIGHTS_INDEX_FILE}; tunekit loads model weights from safetensors` +
        (found.length ? ` (weight-like files here: ${found.join(', ')})` : ''),
    );
  }

  /** The shards the index names; undefined when there is no index and `mustExist` is false. */
  private static async openSharded(
    source: FileSource,
    mustExist: boolean,
  ): Promise<ModelWeights | undefined> {
    const indexPath = source.pathOf(HF_WEIGHTS_INDEX_FILE);
    if (!mustExist && !(await source.open(HF_WEIGHTS_INDEX_FILE).then(closeIfOpen))) return;
    const index = await readSafetensorsIndex(HF_WEIGHTS_INDEX_FILE, source);
    const files: SafetensorsFile[] = [];
    try {
      for (const shard of index.shards) {
        const opened = await source.open(shard);
        if (!opened) {
          throw new UserError(
            `${indexPath} names shard ${shard}, which is not in ${source.location}`,
          );
        }
        files.push(await SafetensorsFile.open(opened));
      }
      const owner = new Map<string, SafetensorsFile>();
      for (const file of files) {
        for (const name of file.keys()) {
          const other = owner.get(name);
          if (other) {
            throw new UserError(
              `tensor "${name}" is in two shards: ${other.path} and ${file.path}`,
            );
          }
          owner.set(name, file);
        }
      }
      for (const [name, shard] of index.weightMap) {
        const holder = owner.get(name);
        if (holder?.path !== source.pathOf(shard)) {
          throw new UserError(
            `${indexPath} puts tensor "${name}" in ${shard}, but ${holder ? `it is in ${holder.path}` : 'no shard holds it'}`,
          );
        }
      }
      return new ModelWeights(files, owner);
    } catch (err) {
      await Promise.all(files.map((f) => f.close()));
      throw err;
    }
  }

  keys(): string[] {
    return [...this.owner.keys()];
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  /** Where a tensor is and what it holds, without reading it. */
  info(name: string): SafetensorsTensorInfo & { file: string } {
    const file = this.fileOf(name);
    return { ...file.info(name), file: file.path };
  }

  read(name: string): Promise<HostTensor> {
    return this.fileOf(name).read(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.close()));
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) {
      const where = this.files.map((f) => f.path).join(', ');
      throw new UserError(`no tensor "${name}" in the model weights (${where})`);
    }
    return file;
  }
}

async function closeIfOpen(file: { close(): Promise<void> } | undefined): Promise<boolean> {
  await file?.close();
  return file !== undefined;
}
