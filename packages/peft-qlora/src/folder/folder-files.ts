import { join } from 'node:path';
import { readFileIfPresent } from '@tunekit/core';

/**
 * Tokenizer files besides the ones every model folder copy keeps (core's HF_COMPANION_FILES:
 * tokenizer.json, tokenizer_config.json, special_tokens_map.json, generation_config.json): those of
 * SentencePiece and BPE tokenizers and a separate chat template, as transformers saves them.
 */
const MORE_TOKENIZER_FILES = [
  'tokenizer.model',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'chat_template.jinja',
  'chat_template.json',
];

/** The extra tokenizer files of folder `dir` that are present, by name. */
export async function moreTokenizerFiles(dir: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const name of MORE_TOKENIZER_FILES) {
    const bytes = await readFileIfPresent(join(dir, name));
    if (bytes) files[name] = bytes;
  }
  return files;
}
