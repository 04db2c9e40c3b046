import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '@tunekit/core';
import { learnMerges, preTokenize } from './bpe.js';
import { corpusDocuments } from './corpus.js';
import { SPECIAL_TOKENS, tokenizerConfig, tokenizerJson } from './tokenizer-files.js';

/** Seed of the corpus sample the merges are learned from. */
export const TOKENIZER_SEED = 1;
const SAMPLE_DOCUMENTS = 50_000;
/** At most this many merges; the corpus is small, so fewer are learned once every piece is one token. */
const MAX_MERGES = 1024;

/** tokenizer.json and tokenizer_config.json, by file name, learned from a corpus sample. */
export function tokenizerFromCorpus(): Record<string, Record<string, unknown>> {
  const counts = new Map<string, number>();
  const docs = corpusDocuments(seededRandom(TOKENIZER_SEED));
  for (let i = 0; i < SAMPLE_DOCUMENTS; i++) {
    for (const piece of preTokenize(docs.next().value as string, SPECIAL_TOKENS))
      counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  const merges = learnMerges(counts, MAX_MERGES);
  return { 'tokenizer.json': tokenizerJson(merges), 'tokenizer_config.json': tokenizerConfig() };
}

/** Writes the tokenizer files to `dir`. */
export async function trainTokenizer(dir: string): Promise<void> {
  for (const [name, json] of Object.entries(tokenizerFromCorpus()))
    await writeFile(join(dir, name), `${JSON.stringify(json, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`)
  await trainTokenizer(join(import.meta.dirname, '..'));
