import { access, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import {
  atomicWrite,
  checkFinite,
  type NonFiniteOptions,
  readJsonObject,
  SafetensorsFile,
  writeSafetensors,
} from '../io/index.js';
import type { HostTensor } from '../tensor/index.js';

/** The files of a PEFT adapter folder, named as PEFT's `save_pretrained` writes them. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const PICKLED_WEIGHTS_FILE = 'adapter_model.bin';

/** An adapter as stored: `adapter_config.json` and the tensors of `adapter_model.safetensors`. */
export interface AdapterFiles {
  readonly config: Readonly<Record<string, unknown>>;
  readonly tensors: ReadonlyMap<string, HostTensor>;
}

/**
 * Writes `adapter_config.json` (keys sorted, two-space indent, as PEFT's `json.dumps(...,
 * sort_keys=True, indent=2)`) and `adapter_model.safetensors` (metadata `format: pt`, which
 * transformers' loaders check), each atomically.
 */
export async function writeAdapterFolder(dir: string, files: AdapterFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  const sorted = Object.fromEntries(
    Object.entries(files.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  await atomicWrite(join(dir, ADAPTER_CONFIG_FILE), `${JSON.stringify(sorted, null, 2)}\n`);
  await writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), files.tensors, { format: 'pt' });
}

/**
 * Reads a PEFT adapter folder, made by tunekit or by Python PEFT. A tensor holding NaN or ±Inf is
 * an error unless `allowNonfinite`.
 */
export async function readAdapterFolder(
  dir: string,
  opts: NonFiniteOptions = {},
): Promise<AdapterFiles> {
  if (!(await exists(dir))) throw new UserError(`adapter folder ${dir} does not exist`);
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  if (!(await exists(configPath))) {
    throw new UserError(`${dir} is not a PEFT adapter folder: it has no ${ADAPTER_CONFIG_FILE}`);
  }
  const config = await readJsonObject(configPath);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_FILE);
  if (!(await exists(weightsPath))) {
    const pickled = await exists(join(dir, PICKLED_WEIGHTS_FILE));
    throw new UserError(
      pickled
        ? `${dir} holds ${PICKLED_WEIGHTS_FILE}, a pickle, which tunekit does not load; ` +
            `save it again as ${ADAPTER_WEIGHTS_FILE} (PEFT's save_pretrained does by default)`
        : `${dir} has no ${ADAPTER_WEIGHTS_FILE}`,
    );
  }
  const file = await SafetensorsFile.open(weightsPath);
  try {
    const tensors = new Map<string, HostTensor>();
    for (const name of file.keys()) {
      const t = await file.read(name);
      checkFinite(t, { file: weightsPath, tensor: name }, opts);
      tensors.set(name, t);
    }
    return { config, tensors };
  } finally {
    await file.close();
  }
}

/** The Trainer's checkpoint folders, which sit beside a saved adapter's sub-folders. */
const CHECKPOINT_FOLDER = /^checkpoint-\d+$/;

/**
 * The adapters of a folder in PEFT's layout for several adapters (`save_pretrained` of a model with
 * more than one): `adapter_config.json` at the root is adapter 'default', and each sub-folder that
 * holds one is the adapter named after it. Checkpoint folders (`checkpoint-<step>`) are not adapters.
 */
export async function adapterFoldersIn(
  dir: string,
  defaultName: string,
): Promise<{ readonly name: string; readonly dir: string }[]> {
  if (!(await exists(join(dir, ADAPTER_CONFIG_FILE))))
    throw new UserError(`${dir} is not a PEFT adapter folder: it has no ${ADAPTER_CONFIG_FILE}`);
  const found = [{ name: defaultName, dir }];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.isDirectory() || CHECKPOINT_FOLDER.test(entry.name)) continue;
    const sub = join(dir, entry.name);
    if (await exists(join(sub, ADAPTER_CONFIG_FILE))) found.push({ name: entry.name, dir: sub });
  }
  return found;
}

/** Whether `name` can name an adapter saved in a sub-folder: not a checkpoint folder's name. */
export function isCheckpointFolderName(name: string): boolean {
  return CHECKPOINT_FOLDER.test(name);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
