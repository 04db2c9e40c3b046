import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corePlugins, createContainer, Tokenizer } from '@tunekit/core';
import { plugin as templatesPlugin } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import { plugin } from '../src/plugin.js';

/** The data fixtures: one small file per record shape. */
export const DATA = fileURLToPath(new URL('./fixtures/data/', import.meta.url));

/** core's byte-level BPE fixture: 275 ids, ChatML special tokens, a ChatML chat_template. */
export const TOKENIZER_DIR = fileURLToPath(
  new URL('../../core/test/fixtures/tokenizers/bytelevel-bpe/', import.meta.url),
);

export const chatmlTokenizer = () => Tokenizer.fromFolder(TOKENIZER_DIR);

/**
 * ChatML whose tool definitions go into the system turn and whose assistant tool calls are
 * written as `<tool_call>{json}</tool_call>`, as Qwen2.5's template does.
 */
export const TOOL_TEMPLATE = [
  '{%- if tools %}',
  "{{- '<|im_start|>system\\n' }}",
  "{%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n' }}{%- endif %}",
  "{{- 'Tools: ' + (tools | tojson) + '<|im_end|>\\n' }}",
  "{%- elif messages[0].role == 'system' %}",
  "{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}",
  '{%- endif %}',
  '{%- for message in messages %}',
  "{%- if message.role != 'system' %}",
  "{{- '<|im_start|>' + message.role + '\\n' }}",
  '{%- if message.tool_calls %}',
  "{%- for call in message.tool_calls %}{{- '<tool_call>' + (call.function | tojson) + '</tool_call>' }}{%- endfor %}",
  '{%- else %}{{- message.content }}{%- endif %}',
  "{{- '<|im_end|>\\n' }}",
  '{%- endif %}',
  '{%- endfor %}',
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
].join('\n');

/** The fixture tokenizer with TOOL_TEMPLATE as its chat_template. */
export async function toolTokenizer(): Promise<Tokenizer> {
  const read = async (name: string) =>
    JSON.parse(await readFile(join(TOKENIZER_DIR, name), 'utf8'));
  const config = await read('tokenizer_config.json');
  return Tokenizer.fromFiles(
    {
      tokenizer: await read('tokenizer.json'),
      config: { ...config, chat_template: TOOL_TEMPLATE },
    },
    { dir: 'tool-tokenizer' },
  );
}

/** A container with core's, the templates' and this package's plugins. */
export const dataContainer = (): DependencyContainer =>
  createContainer([...corePlugins, templatesPlugin, plugin]);

/** A fresh folder holding `files` (name → text); returns its path. */
export async function dataFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-data-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** JSON Lines of `records`. */
export const jsonl = (records: readonly unknown[]): string =>
  records.map((r) => JSON.stringify(r)).join('\n');
