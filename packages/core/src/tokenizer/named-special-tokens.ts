import { type ConfigToken, tokenContent } from './tokenizer-config.js';
import type { AddedToken, TokenizerJson } from './tokenizer-json.js';

/**
 * tokenizer.json's added tokens plus each named special token (bos, eos, pad, unk, additional
 * ones) that is not among them yet, as transformers adds them when it loads a tokenizer: a
 * special added token with the model vocabulary's id, or a new id after the last one.
 */
export function withNamedSpecialTokens(
  json: TokenizerJson,
  named: readonly ConfigToken[],
): AddedToken[] {
  const added = [...json.added_tokens];
  const vocab = modelVocabulary(json.model);
  let nextId = 0;
  for (const id of [...vocab.values(), ...added.map((t) => t.id)])
    nextId = Math.max(nextId, id + 1);
  for (const token of named) {
    const content = tokenContent(token);
    if (added.some((t) => t.content === content)) continue;
    const flags: Exclude<ConfigToken, string> = typeof token === 'string' ? { content } : token;
    added.push({
      id: vocab.get(content) ?? nextId++,
      content,
      single_word: flags.single_word ?? false,
      lstrip: flags.lstrip ?? false,
      rstrip: flags.rstrip ?? false,
      normalized: flags.normalized ?? false,
      special: true,
    });
  }
  return added;
}

/** token -> id of the model's own vocabulary: a map (BPE, WordPiece) or [piece, score] pairs (Unigram). */
function modelVocabulary(model: TokenizerJson['model']): Map<string, number> {
  const vocab = model.vocab;
  if (Array.isArray(vocab)) {
    return new Map(vocab.map((entry, id) => [String((entry as unknown[])[0]), id]));
  }
  if (typeof vocab === 'object' && vocab !== null) {
    return new Map(Object.entries(vocab as Record<string, number>));
  }
  return new Map();
}
