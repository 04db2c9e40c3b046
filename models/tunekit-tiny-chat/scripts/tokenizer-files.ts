import { byteLevelAlphabet } from '@tunekit/core';
import { CHATML_JINJA } from '@tunekit/templates';

/** The special tokens, first in the vocabulary as in SmolLM2: ids 0, 1, 2. */
export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** The longest sequence the model was pretrained on; `model_max_length` and `max_position_embeddings`. */
export const CONTEXT_LENGTH = 64;

function addedToken(id: number, content: string) {
  return {
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

/**
 * tokenizer.json in the tokenizers library's format: ids 0-2 the special tokens, 3-258 the bytes
 * (in byte order, spelled with GPT-2's byte alphabet), then one id per merge.
 */
export function tokenizerJson(merges: readonly [string, string][]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  SPECIAL_TOKENS.forEach((t, id) => {
    vocab[t] = id;
  });
  byteLevelAlphabet().forEach((c, b) => {
    vocab[c] = SPECIAL_TOKENS.length + b;
  });
  for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;
  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t, id) => addedToken(id, t)),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Digits', individual_digits: true },
        { type: 'ByteLevel', ...byteLevel },
      ],
    },
    post_processor: { type: 'ByteLevel', ...byteLevel, trim_offsets: false },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/**
 * tokenizer_config.json as Qwen2.5-Instruct has it: no BOS, `<|im_end|>` ends a turn and is the
 * eos token (so generation stops at the end of the assistant's turn), `<|endoftext|>` separates
 * pretraining documents and pads.
 */
export function tokenizerConfig(): Record<string, unknown> {
  return {
    add_prefix_space: false,
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: null,
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    chat_template: CHATML_JINJA,
    clean_up_tokenization_spaces: false,
    model_max_length: CONTEXT_LENGTH,
    tokenizer_class: 'GPT2Tokenizer',
  };
}
