import { UserError } from '../errors/index.js';
import {
  type FileSource,
  type FolderInput,
  folderSource,
  readOptionalJsonObject,
  readSourceText,
} from '../io/index.js';

/** File names of a Hugging Face tokenizer, spelled as transformers writes them. */
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const SPECIAL_TOKENS_MAP_FILE = 'special_tokens_map.json';
/** Newer transformers save the chat template here instead of in tokenizer_config.json. */
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

/** The parsed JSON of a tokenizer's files (validated when a Tokenizer is built from them). */
export interface TokenizerFiles {
  /** tokenizer.json */
  readonly tokenizer: unknown;
  /** tokenizer_config.json, when the folder has one. */
  readonly config?: unknown;
  /** special_tokens_map.json, when the folder has one. */
  readonly specialTokensMap?: unknown;
  /** chat_template.jinja, when the folder has one. */
  readonly chatTemplate?: string;
}

/**
 * Reads a tokenizer folder (a path, a URL in a browser, or any FileSource); a missing
 * tokenizer.json or a malformed file is a UserError naming it.
 */
export async function readTokenizerFiles(dir: FolderInput): Promise<TokenizerFiles> {
  const source = folderSource(dir);
  const tokenizer = await readOptionalJsonObject(TOKENIZER_FILE, source);
  if (!tokenizer) throw new UserError(await missingTokenizerMessage(source));
  const [config, specialTokensMap, chatTemplate] = await Promise.all([
    readOptionalJsonObject(TOKENIZER_CONFIG_FILE, source),
    readOptionalJsonObject(SPECIAL_TOKENS_MAP_FILE, source),
    readSourceText(source, CHAT_TEMPLATE_FILE),
  ]);
  return { tokenizer, config, specialTokensMap, chatTemplate };
}

async function missingTokenizerMessage(source: FileSource): Promise<string> {
  let names: string[];
  try {
    names = (await source.list()) ?? [];
  } catch {
    return `${source.location}: no such folder; pass a model folder that holds ${TOKENIZER_FILE}`;
  }
  const slowFiles = names.filter((n) => n === 'tokenizer.model' || n === 'vocab.json');
  const found =
    slowFiles.length > 0 ? ` (it has ${slowFiles.join(', ')}, a slow tokenizer's files)` : '';
  return (
    `${source.pathOf(TOKENIZER_FILE)}: file not found${found}. tunekit reads tokenizers in the ` +
    `tokenizers library's format: save one with transformers (AutoTokenizer.from_pretrained(...)` +
    `.save_pretrained(dir) writes ${TOKENIZER_FILE}) and put it beside ${TOKENIZER_CONFIG_FILE}`
  );
}
