import { byteLevelBpeJson } from '@tunekit/core';
import { CHATML_JINJA } from '@tunekit/templates';

/** The special tokens, first in the vocabulary as in SmolLM2: ids 0, 1, 2. */
export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** The longest sequence the model was pretrained on; `model_max_length` and `max_position_embeddings`. */
export const CONTEXT_LENGTH = 64;

/**
 * tokenizer.json in the tokenizers library's format: ids 0-2 the special tokens, 3-258 the bytes
 * (in byte order, spelled with GPT-2's byte alphabet), then one id per merge; each digit is its own
 * piece (SmolLM2's `Digits` pre-tokenizer) before GPT-2's split.
 */
export function tokenizerJson(merges: readonly [string, string][]): Record<string, unknown> {
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  };
  return byteLevelBpeJson({
    byteOffset: SPECIAL_TOKENS.length,
    merges,
    addedTokens: SPECIAL_TOKENS.map((content, id) => ({ id, content })),
    preTokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel],
    },
    postProcessor: { ...byteLevel, trim_offsets: false },
  });
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
