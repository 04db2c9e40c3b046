import { byteLevelBpeJson, Tokenizer } from '@tunekit/core';

// A byte-level BPE tokenizer with no merges, built in memory: every byte of the text is one
// token (ids 0-255, spelled with GPT-2's byte alphabet) and each special token is one id after
// them. Small enough that any expected id can be worked out by hand.

export interface ByteTokenizerOptions {
  /** Special tokens, given ids 256, 257, ... in this order. */
  readonly special: readonly string[];
  readonly bos_token?: string;
  readonly eos_token?: string;
  readonly pad_token?: string;
  /** tokenizer_config.json's add_bos_token: the tokenizer puts bos before every text. */
  readonly add_bos_token?: boolean;
  readonly chat_template?: string;
}

export function byteTokenizerFiles(opts: ByteTokenizerOptions) {
  const tokenizer = byteLevelBpeJson({
    addedTokens: opts.special.map((content, i) => ({ id: 256 + i, content })),
  });
  const config: Record<string, unknown> = { add_eos_token: false };
  for (const key of [
    'bos_token',
    'eos_token',
    'pad_token',
    'add_bos_token',
    'chat_template',
  ] as const) {
    if (opts[key] !== undefined) config[key] = opts[key];
  }
  config.add_bos_token ??= false;
  return { tokenizer, config };
}

export function byteTokenizer(opts: ByteTokenizerOptions): Tokenizer {
  return Tokenizer.fromFiles(byteTokenizerFiles(opts), { dir: 'byte-tokenizer' });
}

/** ChatML special tokens, eos `<|im_end|>` also used as the pad token (as SmolLM2 and Qwen2 do). */
export const chatmlTokenizer = () =>
  byteTokenizer({
    special: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
    eos_token: '<|im_end|>',
    pad_token: '<|im_end|>',
  });

/** Llama 3's special tokens; the tokenizer adds `<|begin_of_text|>` itself, as Llama 3's does. */
export const llama3Tokenizer = () =>
  byteTokenizer({
    special: [
      '<|begin_of_text|>',
      '<|end_of_text|>',
      '<|start_header_id|>',
      '<|end_header_id|>',
      '<|eot_id|>',
    ],
    bos_token: '<|begin_of_text|>',
    eos_token: '<|eot_id|>',
    pad_token: '<|eot_id|>',
    add_bos_token: true,
  });
