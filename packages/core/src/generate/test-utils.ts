import { buildCausalLM, type CausalLM } from '../models/index.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';

/** Tiny `config.json`s of the families generation is tested on (2 layers, vocabulary 32). */
export const TINY_CONFIGS = {
  // grouped-query heads, tied embeddings and Llama 3 rope scaling, as Llama 3.2 has
  llama: {
    model_type: 'llama',
    vocab_size: 32,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 48,
    tie_word_embeddings: true,
    rope_scaling: {
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 16,
    },
  },
  qwen2: {
    model_type: 'qwen2',
    vocab_size: 32,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 1,
    max_position_embeddings: 48,
  },
  gpt2: { model_type: 'gpt2', vocab_size: 32, n_positions: 48, n_embd: 16, n_layer: 2, n_head: 4 },
} as const;

/** A tiny model of a family with seeded random weights (norm weights around 1, biases included). */
export function tinyModel(family: keyof typeof TINY_CONFIGS, seed = 0): CausalLM {
  const { model } = buildCausalLM(TINY_CONFIGS[family]);
  const random = seededRandom(seed);
  for (const [name, p] of model.namedParameters()) {
    const noise = randomNormal(p.value.size, random).map((v) => v * 0.5);
    const isNorm = /(norm|ln_\d|ln_f)\.weight$/.test(name);
    p.value = HostTensor.from('f32', p.shape, isNorm ? noise.map((v) => 1 + v / 5) : noise);
  }
  return model;
}
