import type { WeightDims } from '../model-family.js';

const inner = 'n_inner (or 4 × n_embd)';

/** The config.json fields behind each dimension of a GPT-2 checkpoint's weights (Conv1D: [in, out]). */
export const gpt2WeightDims: WeightDims = {
  'wte.weight': ['vocab_size', 'n_embd'],
  'lm_head.weight': ['vocab_size', 'n_embd'],
  'wpe.weight': ['n_positions', 'n_embd'],
  'attn.c_attn.weight': ['n_embd', '3 × n_embd'],
  'attn.c_attn.bias': ['3 × n_embd'],
  'attn.c_proj.weight': ['n_embd', 'n_embd'],
  'attn.c_proj.bias': ['n_embd'],
  'mlp.c_fc.weight': ['n_embd', inner],
  'mlp.c_fc.bias': [inner],
  'mlp.c_proj.weight': [inner, 'n_embd'],
  'mlp.c_proj.bias': ['n_embd'],
  '.weight': ['n_embd'],
  '.bias': ['n_embd'],
};
