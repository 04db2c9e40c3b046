import type { z } from 'zod';

// The shape of tokenizer.json's `model`, checked before @huggingface/tokenizers reads it: the
// library trusts it and fails deep inside ("Cannot read properties of undefined") or, worse, builds
// a tokenizer that encodes wrongly. Plain loops, not zod schemas: a vocabulary has 150k entries.

/** The model types @huggingface/tokenizers runs. */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'] as const;

interface Issue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Adds an issue for the first thing wrong with tokenizer.json's `model` (a zod superRefine). */
export function checkTokenizerModel(
  model: { readonly type?: string } & Record<string, unknown>,
  ctx: z.core.$RefinementCtx,
): void {
  const issue = modelIssue(model);
  if (issue) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
}

function modelIssue(
  model: { readonly type?: string } & Record<string, unknown>,
): Issue | undefined {
  const { type, vocab } = model;
  if (type !== undefined && !(MODEL_TYPES as readonly string[]).includes(type)) {
    return {
      path: ['type'],
      message: `'${type}' is not a model type tunekit's tokenizer library runs (${MODEL_TYPES.join(', ')})`,
    };
  }
  if (vocab === undefined || vocab === null) {
    return { path: ['vocab'], message: 'missing: the model has no vocabulary' };
  }
  const scored = type === 'Unigram' || (type === undefined && Array.isArray(vocab));
  const issue = scored ? scoredVocabIssue(vocab) : vocabMapIssue(vocab);
  if (issue) return issue;
  return type === 'BPE' ? mergesIssue(model.merges) : undefined;
}

/** BPE and WordPiece: `{ token: id }`. */
function vocabMapIssue(vocab: unknown): Issue | undefined {
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
    return {
      path: ['vocab'],
      message: `expected an object mapping each token to its id, got ${describe(vocab)}`,
    };
  }
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isSafeInteger(id) || (id as number) < 0) {
      return {
        path: ['vocab', token],
        message: `expected the token's id, a non-negative integer, got ${describe(id)}`,
      };
    }
  }
  return undefined;
}

/** Unigram: `[[piece, score], ...]`. */
function scoredVocabIssue(vocab: unknown): Issue | undefined {
  if (!Array.isArray(vocab)) {
    return {
      path: ['vocab'],
      message: `expected a list of [piece, score] pairs (a Unigram vocabulary), got ${describe(vocab)}`,
    };
  }
  for (let i = 0; i < vocab.length; i++) {
    const entry: unknown = vocab[i];
    if (
      !Array.isArray(entry) ||
      entry.length !== 2 ||
      typeof entry[0] !== 'string' ||
      typeof entry[1] !== 'number'
    ) {
      return {
        path: ['vocab', i],
        message: `expected a [piece, score] pair, got ${describe(entry)}`,
      };
    }
  }
  return undefined;
}

/** BPE merges: `"left right"` strings (older files) or `[left, right]` pairs. */
function mergesIssue(merges: unknown): Issue | undefined {
  if (!Array.isArray(merges)) {
    return {
      path: ['merges'],
      message: `expected the list of BPE merges ("left right" strings or [left, right] pairs), got ${describe(merges)}`,
    };
  }
  for (let i = 0; i < merges.length; i++) {
    const merge: unknown = merges[i];
    const ok = Array.isArray(merge)
      ? merge.length === 2 && typeof merge[0] === 'string' && typeof merge[1] === 'string'
      : typeof merge === 'string' && /^[^ ]+ [^ ]+$/.test(merge);
    if (!ok) {
      return {
        path: ['merges', i],
        message: `expected "left right" or [left, right], got ${describe(merge)}`,
      };
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array ${clip(JSON.stringify(value))}`;
  if (value !== null && typeof value === 'object') return 'an object';
  return clip(JSON.stringify(value));
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
