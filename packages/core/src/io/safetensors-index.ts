import { UserError } from '../errors/index.js';
import type { FileSource } from './file-source.js';
import { readJsonObject } from './hf-files.js';

/** `model.safetensors.index.json`: which shard file holds each tensor. */
export interface SafetensorsIndex {
  /** Tensor name to shard file name, relative to the model folder. */
  readonly weightMap: ReadonlyMap<string, string>;
  /** The distinct shard files, in order of first mention. */
  readonly shards: readonly string[];
}

/** The index at `path`, or file `path` of `source`. */
export async function readSafetensorsIndex(
  path: string,
  source?: FileSource,
): Promise<SafetensorsIndex> {
  const json = await readJsonObject(path, source);
  if (source) path = source.pathOf(path);
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

// An untrusted index must not make us open files outside the folder: no absolute path (`/x`,
// `C:\x`, `\\server`), no `..` step.
function isInsideFolder(file: string): boolean {
  const steps = file.split(/[\\/]/);
  return file.length > 0 && steps[0] !== '' && !/^[a-zA-Z]:/.test(file) && !steps.includes('..');
}
