import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tokenizer } from '@tunekit/core';

/** The files of a tokenizer folder that decide how text becomes tokens. */
const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'chat_template.jinja',
];

/**
 * sha256 (hex) of the canonical JSON of `parts` (object keys sorted): the data fingerprint is
 * this over the data files' hashes, formats and weights, the template's hash, the tokenizer's
 * hash and every setting that changes the examples or batches.
 */
export function sha256OfJson(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/**
 * sha256 of the tokenizer: of the bytes of its files in `dir` when given (those present), else of
 * its in-memory definition (vocabulary, added tokens and tokenizer_config.json as validated).
 */
export async function tokenizerHash(tokenizer: Tokenizer, dir?: string): Promise<string> {
  const hash = createHash('sha256');
  if (dir !== undefined) {
    for (const name of TOKENIZER_FILES) {
      const bytes = await readFile(join(dir, name)).catch(() => undefined);
      if (bytes !== undefined) hash.update(`${name}\n`).update(bytes);
    }
    return hash.digest('hex');
  }
  const vocab = Array.from(
    { length: tokenizer.vocabSize },
    (_, id) => tokenizer.idToToken(id) ?? null,
  );
  return hash
    .update(canonicalJson({ vocab, added: tokenizer.addedTokens, config: tokenizer.config }))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
