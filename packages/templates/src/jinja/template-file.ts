import {
  type ChatTemplate,
  type ChatTemplateContext,
  openFile,
  parseTokenizerConfig,
  readAllAndClose,
  readJsonObject,
  tokenContent,
  UserError,
} from '@tunekit/core';
import { createJinjaTemplate } from './jinja-template.js';

const WHAT = 'a .jinja chat template or a tokenizer_config.json with a chat_template';

/** Whether a template setting names a file (`.jinja`, or JSON such as tokenizer_config.json) rather than an id. */
export function isTemplateFile(value: string): boolean {
  return /\.(jinja|json)$/i.test(value);
}

export interface TemplateFile {
  /** The file's chat_template, registered as `jinja`: it is what the trained adapter's tokenizer_config.json holds. */
  readonly template: ChatTemplate;
  /** The special tokens tokenizer_config.json names (bos_token, eos_token); none for a `.jinja` file. */
  readonly context: ChatTemplateContext;
}

/**
 * Reads a chat template from `path` (a URL in a browser; to use another model's): a `.jinja` file is the template's
 * text; a JSON file (tokenizer_config.json, or transformers' chat_template.json) gives its
 * `chat_template`, one string or named templates. Errors name the file.
 */
export async function readTemplateFile(path: string): Promise<TemplateFile> {
  const opts = { description: `the chat_template of ${path}`, label: path };
  if (/\.jinja$/i.test(path)) {
    const source = await readText(path);
    if (source.trim() === '') throw new UserError(`${path}: the file is empty; expected ${WHAT}`);
    return { template: createJinjaTemplate(source, opts), context: {} };
  }
  const config = parseTokenizerConfig(await readJson(path), path);
  if (config.chat_template === undefined || config.chat_template === null) {
    throw new UserError(`${path}: has no chat_template; expected ${WHAT}`);
  }
  const context: ChatTemplateContext = {
    ...(config.bos_token ? { bos_token: tokenContent(config.bos_token) } : {}),
    ...(config.eos_token ? { eos_token: tokenContent(config.eos_token) } : {}),
  };
  return { template: createJinjaTemplate(config.chat_template, opts), context };
}

async function readText(path: string): Promise<string> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readAllAndClose(await openFile(path));
  } catch (err) {
    throw fileError(path, err);
  }
  if (!bytes) throw fileError(path, Object.assign(new Error(), { code: 'ENOENT' }));
  return new TextDecoder().decode(bytes);
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return await readJsonObject(path);
  } catch (err) {
    throw err instanceof UserError ? err : fileError(path, err);
  }
}

function fileError(path: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'a folder' : (err as Error).message;
  return new UserError(`${path}: ${why}; expected ${WHAT}`);
}
