import { UserError } from '../errors/index.js';
import { type FileSource, readAllAndClose, readSourceText } from './file-source.js';
import { openFile } from './folder-source.js';
import { parseJsonText } from './json-text.js';

/** File names of a Hugging Face model folder, spelled as transformers writes them. */
export const HF_CONFIG_FILE = 'config.json';
export const HF_GENERATION_CONFIG_FILE = 'generation_config.json';
export const HF_WEIGHTS_FILE = 'model.safetensors';
export const HF_WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** Files besides config and weights that a model folder carries and a merged copy keeps. */
export const HF_COMPANION_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  HF_GENERATION_CONFIG_FILE,
] as const;

/** Shard `index` (1-based) of `count`, named as transformers names them. */
export function shardFileName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `model-${pad(index)}-of-${pad(count)}.safetensors`;
}

export const SHARD_FILE_PATTERN = /^model-\d{5}-of-\d{5}\.safetensors$/;

/**
 * A JSON file that must hold an object; a missing file or bad JSON is a UserError naming it. The
 * file is a path (a URL in a browser), or file `name` of a FileSource.
 */
export async function readJsonObject(
  path: string,
  source?: FileSource,
): Promise<Record<string, unknown>> {
  const json = await readOptionalJsonObject(path, source);
  if (!json) throw new UserError(`${source?.pathOf(path) ?? path}: file not found`);
  return json;
}

/** Like `readJsonObject`, but undefined when the file does not exist. */
export async function readOptionalJsonObject(
  path: string,
  source?: FileSource,
): Promise<Record<string, unknown> | undefined> {
  const text = source ? await readSourceText(source, path) : await readHostText(path);
  if (text === undefined) return undefined;
  return parseJsonObject(text, source?.pathOf(path) ?? path);
}

async function readHostText(path: string): Promise<string | undefined> {
  const bytes = await readAllAndClose(await openFile(path));
  return bytes && new TextDecoder().decode(bytes);
}

function parseJsonObject(text: string, path: string): Record<string, unknown> {
  const value = parseJsonText(text, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${path}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}
