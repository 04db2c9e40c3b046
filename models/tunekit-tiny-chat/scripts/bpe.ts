import { byteLevelAlphabet } from '@tunekit/core';

// Byte-level BPE training (Sennrich et al. 2016, with GPT-2's byte alphabet), over the same
// pre-tokenisation that tokenizer-files.ts declares in tokenizer.json: special tokens cut out,
// each digit its own piece (SmolLM2's `Digits` pre-tokenizer), then GPT-2's split regex.

/** GPT-2's pre-tokenisation pattern, as the tokenizers library's ByteLevel uses it. */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** The pieces BPE merges within, each spelled in the byte alphabet. */
export function preTokenize(text: string, specialTokens: readonly string[]): string[] {
  const byteChar = byteLevelAlphabet();
  const encoder = new TextEncoder();
  const escaped = specialTokens.map((t) => t.replace(/[|[\]\\^$.*+?(){}]/g, '\\$&'));
  const pieces: string[] = [];
  for (const segment of text.split(new RegExp(escaped.join('|')))) {
    // Digits(individual_digits) isolates every digit before the regex runs
    for (const part of segment.split(/(\p{N})/u)) {
      for (const word of part.match(GPT2_SPLIT) ?? [])
        pieces.push([...encoder.encode(word)].map((b) => byteChar[b]).join(''));
    }
  }
  return pieces;
}

/**
 * Learns `numMerges` merges from word counts: each round merges the most frequent adjacent pair
 * (ties go to the pair that sorts first, so the result depends only on the counts).
 */
export function learnMerges(
  wordCounts: ReadonlyMap<string, number>,
  numMerges: number,
): [string, string][] {
  const words = [...wordCounts].map(([w, count]) => ({ symbols: [...w], count }));
  const merges: [string, string][] = [];
  while (merges.length < numMerges) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of pairs) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined) break; // every word is one symbol
    const [a, b] = best.split('\u0000');
    merges.push([a, b]);
    for (const word of words) {
      const out: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === a && word.symbols[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(word.symbols[i]);
      }
      word.symbols = out;
    }
  }
  return merges;
}
