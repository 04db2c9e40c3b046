import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, HF_COMPANION_FILES } from '@tunekit/core';

/**
 * What Optimum puts beside model.onnx besides config.json: the generation config and every
 * tokenizer file the source folder has, with the chat template (inside tokenizer_config.json, or
 * in transformers' newer chat_template.jinja / chat_template.json).
 */
export const EXPORTED_COMPANION_FILES = [
  ...HF_COMPANION_FILES,
  'vocab.json',
  'merges.txt',
  'tokenizer.model',
  'added_tokens.json',
  'chat_template.jinja',
  'chat_template.json',
] as const;

/** Copies the companion files that `from` has into `to`; returns the names copied. */
export async function copyCompanionFiles(from: string, to: string): Promise<string[]> {
  const copied: string[] = [];
  for (const name of EXPORTED_COMPANION_FILES) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(from, name));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') continue;
      throw error;
    }
    await atomicWrite(join(to, name), bytes);
    copied.push(name);
  }
  return copied;
}
