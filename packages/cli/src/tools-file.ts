import { readFile } from 'node:fs/promises';
import { type ChatToolDefinition, parseJsonText, parseOrThrow, UserError } from '@tunekit/core';
import { toolDefinitionSchema } from '@tunekit/templates';
import { z } from 'zod';

const toolsSchema = z.array(toolDefinitionSchema, {
  error: 'expected a JSON list of tools ([{"type": "function", "function": {"name": ...}}])',
});

/**
 * The tools in a JSON file: a list of OpenAI/HF tool schemas, as `apply_chat_template`'s `tools`
 * takes them. A missing file, bad JSON or a malformed tool is a one-line UserError naming the file
 * (and the tool's field).
 */
export async function readToolsFile(path: string): Promise<ChatToolDefinition[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`${path}: file not found`);
    if (code === 'EISDIR') throw new UserError(`${path}: is a folder; expected a JSON file`);
    throw err;
  }
  return parseOrThrow(toolsSchema, parseJsonText(text, path), path);
}
