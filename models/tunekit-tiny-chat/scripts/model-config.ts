import { CONTEXT_LENGTH, SPECIAL_TOKENS } from './tokenizer-files.js';

const id = (token: (typeof SPECIAL_TOKENS)[number]) => SPECIAL_TOKENS.indexOf(token);

/** config.json of tunekit-tiny-chat: a 4-layer Llama with grouped-query attention and tied embeddings. */
export function modelConfig(vocabSize: number): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: vocabSize,
    hidden_size: 128,
    intermediate_size: 384,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 32,
    hidden_act: 'silu',
    max_position_embeddings: CONTEXT_LENGTH,
    initializer_range: 0.02,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: true,
    attention_bias: false,
    mlp_bias: false,
    bos_token_id: null,
    eos_token_id: id('<|im_end|>'),
    pad_token_id: id('<|endoftext|>'),
    torch_dtype: 'float32',
  };
}

/** generation_config.json: greedy, stopping at the end of a turn or of a document. */
export function generationConfig(): Record<string, unknown> {
  return {
    eos_token_id: [id('<|im_end|>'), id('<|endoftext|>')],
    pad_token_id: id('<|endoftext|>'),
    do_sample: false,
    max_new_tokens: 32,
  };
}
