import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { itemsize, sizeOf } from '../graph/index.js';
import type { HostTensor } from '../tensor/index.js';
import { atomicWrite } from './atomic-write.js';
import type { DeferredTensor } from './deferred-tensor.js';
import { readFileIfPresent } from './file-io.js';
import {
  HF_COMPANION_FILES,
  HF_CONFIG_FILE,
  HF_WEIGHTS_FILE,
  HF_WEIGHTS_INDEX_FILE,
  SHARD_FILE_PATTERN,
  shardFileName,
} from './hf-files.js';
import { writeSafetensors } from './safetensors-write.js';

/** transformers' default `max_shard_size` ("5GB"). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

export interface ModelFolderContent {
  /** Written as `config.json`. */
  config: Readonly<Record<string, unknown>>;
  /** Tensors in the order they are assigned to shards; deferred ones are loaded one at a time as written. */
  weights: ReadonlyMap<string, HostTensor | DeferredTensor>;
  /** Above this many bytes, the weights are split into shards plus an index. */
  maxShardBytes?: number;
  /** A model folder whose tokenizer and generation files are copied, where present. */
  copyFrom?: string;
  /** More files, by name; they win over copied ones. */
  extraFiles?: Readonly<Record<string, string | Uint8Array>>;
}

/**
 * Writes a Hugging Face model folder: config.json, the weights as `model.safetensors` or as
 * shards with `model.safetensors.index.json`, and companion files. Each file is written
 * atomically; weight files of an earlier layout that would shadow the new one are removed.
 * Returns the names of the files written.
 */
export async function writeModelFolder(
  dir: string,
  content: ModelFolderContent,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = new Map<string, string | Uint8Array>();
  if (content.copyFrom) {
    for (const name of HF_COMPANION_FILES) {
      const bytes = await readFileIfPresent(join(content.copyFrom, name));
      if (bytes) files.set(name, bytes);
    }
  }
  for (const [name, data] of Object.entries(content.extraFiles ?? {})) files.set(name, data);
  files.set(HF_CONFIG_FILE, `${JSON.stringify(content.config, null, 2)}\n`);
  for (const [name, data] of files) await atomicWrite(join(dir, name), data);

  const weightFiles = await writeWeights(
    dir,
    content.weights,
    content.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES,
  );
  await removeStaleWeights(dir, new Set(weightFiles));
  return [...files.keys(), ...weightFiles];
}

/** As transformers saves: metadata `format: pt`, which its loader checks. */
const SHARD_METADATA = { format: 'pt' };

async function writeWeights(
  dir: string,
  weights: ReadonlyMap<string, HostTensor | DeferredTensor>,
  maxShardBytes: number,
): Promise<string[]> {
  const shards = planShards(weights, maxShardBytes);
  if (shards.length === 1) {
    await writeSafetensors(join(dir, HF_WEIGHTS_FILE), shards[0].tensors, SHARD_METADATA);
    return [HF_WEIGHTS_FILE];
  }
  const names = shards.map((_, i) => shardFileName(i + 1, shards.length));
  const weightMap: Record<string, string> = {};
  for (const [i, shard] of shards.entries()) {
    await writeSafetensors(join(dir, names[i]), shard.tensors, SHARD_METADATA);
    for (const tensor of shard.tensors.keys()) weightMap[tensor] = names[i];
  }
  const total_size = shards.reduce((sum, s) => sum + s.bytes, 0);
  const index = {
    metadata: { total_size },
    weight_map: Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  await atomicWrite(join(dir, HF_WEIGHTS_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return [...names, HF_WEIGHTS_INDEX_FILE];
}

interface Shard {
  tensors: Map<string, HostTensor | DeferredTensor>;
  bytes: number;
}

/** Greedy, in order, like transformers: a new shard starts when the next tensor would not fit. */
function planShards(
  weights: ReadonlyMap<string, HostTensor | DeferredTensor>,
  maxShardBytes: number,
): Shard[] {
  const shards: Shard[] = [{ tensors: new Map(), bytes: 0 }];
  for (const [name, t] of weights) {
    const bytes = sizeOf(t.shape) * itemsize(t.dtype);
    let last = shards[shards.length - 1];
    if (last.tensors.size > 0 && last.bytes + bytes > maxShardBytes) {
      last = { tensors: new Map(), bytes: 0 };
      shards.push(last);
    }
    last.tensors.set(name, t);
    last.bytes += bytes;
  }
  return shards;
}

async function removeStaleWeights(dir: string, keep: Set<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    const isWeights =
      name === HF_WEIGHTS_FILE || name === HF_WEIGHTS_INDEX_FILE || SHARD_FILE_PATTERN.test(name);
    if (isWeights && !keep.has(name)) await rm(join(dir, name));
  }
}
