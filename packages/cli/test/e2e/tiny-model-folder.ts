import {
  buildCausalLM,
  HostTensor,
  randomNormal,
  seededRandom,
  writeModelFolder,
} from '@tunekit/core';

// A byte-level BPE tokenizer over the printable ASCII bytes (space is 'Ġ', as GPT-2 maps it) with
// no merges: every printable character is one token, so any generated token decodes to one
// visible character and the expected output is plain text.
const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));
const vocab = Object.fromEntries(['Ġ', ...printable].map((token, id) => [token, id]));
const byteLevel = {
  type: 'ByteLevel',
  add_prefix_space: false,
  trim_offsets: true,
  use_regex: true,
};

const tokenizerJson = {
  version: '1.0',
  added_tokens: [],
  normalizer: null,
  pre_tokenizer: byteLevel,
  post_processor: null,
  decoder: byteLevel,
  model: { type: 'BPE', vocab, merges: [], ignore_merges: false },
};

const config = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: Object.keys(vocab).length,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  head_dim: 8,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  torch_dtype: 'float32',
};

/** Writes a tiny Llama with random weights and its tokenizer as a Hugging Face folder. */
export async function writeTinyLlamaFolder(dir: string, seed = 0): Promise<void> {
  const { model } = buildCausalLM(config);
  const random = seededRandom(seed);
  const weights = new Map(
    model
      .namedParameters()
      .map(([name, p]) => [
        name,
        HostTensor.from('f32', p.shape, randomNormal(p.value.size, random)),
      ]),
  );
  await writeModelFolder(dir, {
    config,
    weights,
    extraFiles: {
      'tokenizer.json': JSON.stringify(tokenizerJson),
      'tokenizer_config.json': JSON.stringify({
        model_max_length: 64,
        clean_up_tokenization_spaces: false,
      }),
    },
  });
}
