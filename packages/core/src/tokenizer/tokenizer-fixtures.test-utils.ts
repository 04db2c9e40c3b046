import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { byteLevelBpeJson } from './byte-level.js';

// Two tiny tokenizers in Hugging Face's file format, small enough that every expected id in
// the tests can be derived by hand from the merges below. Written to
// test/fixtures/tokenizers/<name>/ by scripts/write-tokenizer-fixtures.ts; a test checks that
// the committed files are exactly these.

/** File name -> JSON content (or text, for .jinja files). */
export type FixtureFiles = Record<string, unknown>;

const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

function addedToken(id: number, content: string, special: boolean) {
  return {
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special,
  };
}

/**
 * SmolLM2-style byte-level BPE: ids 0-255 are the bytes (id = byte value, spelled with GPT-2's
 * byte alphabet: space is "Ġ", newline "Ċ"), then one id per merge, then the added tokens.
 */
export function byteLevelBpeFixture(): FixtureFiles {
  const merges: [string, string][] = [
    ['Ġ', 't'], // 256 Ġt
    ['h', 'e'], // 257 he
    ['Ġt', 'he'], // 258 Ġthe
    ['l', 'l'], // 259 ll
    ['he', 'll'], // 260 hell
    ['hell', 'o'], // 261 hello
    ['Ġ', 'w'], // 262 Ġw
    ['o', 'r'], // 263 or
    ['Ġw', 'or'], // 264 Ġwor
    ['Ġwor', 'l'], // 265 Ġworl
    ['Ġworl', 'd'], // 266 Ġworld
    ['Ġ', 'Ġ'], // 267 ĠĠ
    ['ð', 'Ł'], // 268 ðŁ: bytes F0 9F, the first half of most emoji
    ['Ġ', 'ðŁ'], // 269 ĠðŁ: a space and half an emoji
    ['Ġ', 'hello'], // 270 Ġhello
  ];
  const tokenizer = byteLevelBpeJson({
    merges,
    addedTokens: [
      { id: 271, content: '<|endoftext|>' },
      { id: 272, content: '<|im_start|>' },
      { id: 273, content: '<|im_end|>' },
      { id: 274, content: '<think>', special: false },
    ],
    preTokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Digits', individual_digits: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    postProcessor: {
      type: 'ByteLevel',
      add_prefix_space: true,
      trim_offsets: false,
      use_regex: true,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  });
  const config = {
    add_prefix_space: false,
    bos_token: '<|im_start|>',
    eos_token: '<|im_end|>',
    pad_token: '<|im_end|>',
    unk_token: '<|endoftext|>',
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    chat_template: CHATML,
    clean_up_tokenization_spaces: false,
    model_max_length: 8192,
    tokenizer_class: 'GPT2Tokenizer',
    vocab_size: 275,
  };
  const generationConfig = {
    bos_token_id: 272,
    eos_token_id: [273, 271],
    pad_token_id: 273,
    do_sample: true,
    temperature: 0.7,
    top_p: 0.9,
    transformers_version: '4.46.0',
  };
  return {
    'tokenizer.json': tokenizer,
    'tokenizer_config.json': config,
    'generation_config.json': generationConfig,
  };
}

/**
 * Llama-2-style sentencepiece BPE as transformers converts it: the "legacy" normalizer
 * (prepend "▁", spaces to "▁"), no pre-tokenizer, byte fallback to `<0xNN>` tokens, and a
 * decoder that undoes both. Ids: 0-2 `<unk>` `<s>` `</s>`, 3-258 the bytes (`<0xNN>` is
 * 3 + NN), then the pieces, then the added chat tokens.
 */
export function llamaSentencepieceFixture(): FixtureFiles {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) {
    vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  }
  const pieces = ['▁', 'H', 'e', 'l', 'o', 'w', 'r', 'd', '!']; // 259-267
  pieces.forEach((p, i) => {
    vocab[p] = 259 + i;
  });
  const merges: [string, string][] = [
    ['l', 'l'], // 268 ll
    ['▁', 'w'], // 269 ▁w
    ['o', 'r'], // 270 or
    ['H', 'e'], // 271 He
    ['He', 'll'], // 272 Hell
    ['Hell', 'o'], // 273 Hello
    ['▁', 'Hello'], // 274 ▁Hello
    ['▁w', 'or'], // 275 ▁wor
    ['l', 'd'], // 276 ld
    ['▁wor', 'ld'], // 277 ▁world
    ['▁', '▁'], // 278 ▁▁
  ];
  merges.forEach(([a, b], i) => {
    vocab[a + b] = 268 + i;
  });
  const added = [
    addedToken(0, '<unk>', true),
    addedToken(1, '<s>', true),
    addedToken(2, '</s>', true),
    addedToken(279, '<|im_start|>', true),
    addedToken(280, '<|im_end|>', true),
    addedToken(281, '<sep>', false),
  ];
  for (const t of added) vocab[t.content] = t.id;

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  const addedTokenObject = (content: string) => ({
    __type: 'AddedToken',
    content,
    lstrip: false,
    normalized: false,
    rstrip: false,
    single_word: false,
  });
  // No pad_token here: special_tokens_map.json supplies it.
  const config = {
    add_bos_token: true,
    add_eos_token: false,
    bos_token: addedTokenObject('<s>'),
    eos_token: addedTokenObject('</s>'),
    unk_token: addedTokenObject('<unk>'),
    chat_template: [
      { name: 'default', template: CHATML },
      { name: 'tool_use', template: '{{ bos_token }}{{ messages | tojson }}' },
    ],
    clean_up_tokenization_spaces: false,
    legacy: true,
    model_max_length: 1e30, // transformers' VERY_LARGE_INTEGER: no limit
    sp_model_kwargs: {},
    tokenizer_class: 'LlamaTokenizer',
  };
  const specialTokensMap = {
    bos_token: '<s>',
    eos_token: '</s>',
    pad_token: '</s>',
    unk_token: '<unk>',
  };
  return {
    'tokenizer.json': tokenizer,
    'tokenizer_config.json': config,
    'special_tokens_map.json': specialTokensMap,
  };
}

export const TOKENIZER_FIXTURES = {
  'bytelevel-bpe': byteLevelBpeFixture,
  'llama-sentencepiece': llamaSentencepieceFixture,
} satisfies Record<string, () => FixtureFiles>;

/** How a fixture file is stored: JSON with two-space indent and a final newline. */
export function fixtureFileText(content: unknown): string {
  return typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
}

/** Writes a fixture's files into `dir` (created if needed). */
export async function writeFixtureFolder(dir: string, files: FixtureFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), fixtureFileText(content));
  }
}
