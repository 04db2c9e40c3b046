import type { WeightDims } from '../model-family.js';

const q = 'num_attention_heads × head_dim';
const kv = 'num_key_value_heads × head_dim';

/** The config.json fields behind each dimension of a Llama, Mistral or Qwen2 checkpoint's weights. */
export const llamaWeightDims: WeightDims = {
  'embed_tokens.weight': ['vocab_size', 'hidden_size'],
  'lm_head.weight': ['vocab_size', 'hidden_size'],
  'q_proj.weight': [q, 'hidden_size'],
  'k_proj.weight': [kv, 'hidden_size'],
  'v_proj.weight': [kv, 'hidden_size'],
  'o_proj.weight': ['hidden_size', q],
  'q_proj.bias': [q],
  'k_proj.bias': [kv],
  'v_proj.bias': [kv],
  'o_proj.bias': ['hidden_size'],
  'gate_proj.weight': ['intermediate_size', 'hidden_size'],
  'up_proj.weight': ['intermediate_size', 'hidden_size'],
  'down_proj.weight': ['hidden_size', 'intermediate_size'],
  'gate_proj.bias': ['intermediate_size'],
  'up_proj.bias': ['intermediate_size'],
  'down_proj.bias': ['hidden_size'],
  'norm.weight': ['hidden_size'],
};
