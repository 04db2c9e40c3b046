import { UserError } from '../errors/index.js';
import {
  checkFinite,
  encodeSafetensors,
  type FolderInput,
  folderSource,
  type NonFiniteOptions,
  readOptionalJsonObject,
  SafetensorsFile,
  subFolders,
  writeFolderFiles,
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
 * The files of an adapter folder as bytes: `adapter_config.json` (keys sorted, two-space indent,
 * as PEFT's `json.dumps(..., sort_keys=True, indent=2)`) and `adapter_model.safetensors` (metadata
 * `format: pt`, which transformers' loaders check). A page offers them as downloads.
 */
export function adapterFileBytes(files: AdapterFiles): Map<string, Uint8Array> {
  const sorted = Object.fromEntries(
    Object.entries(files.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return new Map([
    [ADAPTER_CONFIG_FILE, new TextEncoder().encode(`${JSON.stringify(sorted, null, 2)}\n`)],
    [ADAPTER_WEIGHTS_FILE, encodeSafetensors(files.tensors, { format: 'pt' })],
  ]);
}

/** Writes the adapter's files (`adapterFileBytes`) into `dir`, each atomically. */
export async function writeAdapterFolder(dir: string, files: AdapterFiles): Promise<void> {
  await writeFolderFiles(dir, adapterFileBytes(files));
}

/**
 * Reads a PEFT adapter folder, made by tunekit or by Python PEFT: a path (a URL in a browser) or
 * any FileSource. A tensor holding NaN or ±Inf is an error unless `allowNonfinite`.
 */
export async function readAdapterFolder(
  dir: FolderInput,
  opts: NonFiniteOptions = {},
): Promise<AdapterFiles> {
  const source = folderSource(dir);
  const config = await readOptionalJsonObject(ADAPTER_CONFIG_FILE, source);
  if (!config) {
    throw new UserError(
      await source.list().then(
        () => `${source.location} is not a PEFT adapter folder: it has no ${ADAPTER_CONFIG_FILE}`,
        () => `adapter folder ${source.location} does not exist`,
      ),
    );
  }
  const weights = await source.open(ADAPTER_WEIGHTS_FILE);
  if (!weights) {
    const pickled = await source.open(PICKLED_WEIGHTS_FILE);
    await pickled?.close();
    throw new UserError(
      pickled
        ? `${source.location} holds ${PICKLED_WEIGHTS_FILE}, a pickle, which tunekit does not load; ` +
            `save it again as ${ADAPTER_WEIGHTS_FILE} (PEFT's save_pretrained does by default)`
        : `${source.location} has no ${ADAPTER_WEIGHTS_FILE}`,
    );
  }
  const file = await SafetensorsFile.open(weights);
  try {
    const tensors = new Map<string, HostTensor>();
    for (const name of file.keys()) {
      const t = await file.read(name);
      checkFinite(t, { file: file.path, tensor: name }, opts);
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
 * more than one): `adapter_config.json` at the root is adapter `defaultName`, and each sub-folder
 * that holds one is the adapter named after it. Checkpoint folders (`checkpoint-<step>`) are not
 * adapters; a folder that cannot be listed (a URL) gives its root adapter alone.
 */
export async function adapterFoldersIn(
  dir: string,
  defaultName: string,
): Promise<{ readonly name: string; readonly dir: string }[]> {
  if (!(await hasAdapterConfig(dir)))
    throw new UserError(`${dir} is not a PEFT adapter folder: it has no ${ADAPTER_CONFIG_FILE}`);
  const found = [{ name: defaultName, dir }];
  for (const name of (await subFolders(dir)) ?? []) {
    if (CHECKPOINT_FOLDER.test(name)) continue;
    const sub = `${dir}/${name}`;
    if (await hasAdapterConfig(sub)) found.push({ name, dir: sub });
  }
  return found;
}

/** Whether `name` can name an adapter saved in a sub-folder: not a checkpoint folder's name. */
export function isCheckpointFolderName(name: string): boolean {
  return CHECKPOINT_FOLDER.test(name);
}

async function hasAdapterConfig(dir: string): Promise<boolean> {
  const file = await folderSource(dir).open(ADAPTER_CONFIG_FILE);
  await file?.close();
  return file !== undefined;
}
