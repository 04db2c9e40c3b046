import { resolve } from 'node:path';
import { type ChatTemplate, resolveById, TOKENS } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { isTemplateFile, readTemplateFile } from './jinja/index.js';

/**
 * The chat template a setting names, the same for a YAML's `template:` and every `--template`: a
 * registered id (an unknown one lists the registered ids), or a file read relative to `baseDir`:
 * a `.jinja` template, or a tokenizer_config.json / chat_template.json with a chat_template (its
 * errors name the file).
 */
export async function resolveChatTemplate(
  container: DependencyContainer,
  setting: string,
  baseDir: string = process.cwd(),
): Promise<ChatTemplate> {
  if (isTemplateFile(setting)) return (await readTemplateFile(resolve(baseDir, setting))).template;
  return resolveById(container, TOKENS.ChatTemplate, setting, 'chat template');
}
