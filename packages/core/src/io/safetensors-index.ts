import { isAbsolute, normalize } from 'node:path';
import { UserError } from '../errors/index.js';
import { readJsonObject } from './hf-files.js';

/** `model.safetensors.index.json`: which shard file holds each tensor. */
export interface SafetensorsIndex {
  /** Tensor name to shard file name, relative to the model folder. */
  readonly weightMap: ReadonlyMap<string, string>;
  /** The distinct shard files, in order of first mention. */
  readonly shards: readonly string[];
}

export async function readSafetensorsIndex(path: string): Promise<SafetensorsIndex> {
  const json = await readJsonObject(path);
  const map = json.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new UserError(`${path}: "weight_map" must be an object of tensor name to shard file`);
  }
  const weightMap = new Map<string, string>();
  for (const [name, file] of Object.entries(map)) {
    if (typeof file !== 'string' || !isInsideFolder(file)) {
      throw new UserError(
        `${path}: weight_map["${name}"] = ${JSON.stringify(file)} is not a file name inside the model folder`,
      );
    }
    weightMap.set(name, file);
  }
  return { weightMap, shards: [...new Set(weightMap.values())] };
}

// An untrusted index must not make us open files outside the folder.
function isInsideFolder(file: string): boolean {
  const n = normalize(file);
  return file.length > 0 && !isAbsolute(n) && n.split(/[\\/]/)[0] !== '..';
}
