import type { ModelFamily } from '../model-family.js';
import { type GPT2Config, gpt2ConfigSchema } from './config.js';
import { GPT2LMHeadModel } from './model.js';
import { gpt2WeightDims } from './weight-dims.js';

export { GPT2Attention } from './attention.js';
export { type GPT2Config, gpt2ConfigSchema } from './config.js';
export { GPT2MLP } from './mlp.js';
export { GPT2Block, GPT2LMHeadModel, GPT2Model } from './model.js';
export { gpt2WeightDims } from './weight-dims.js';

/** GPT-2: learned positions, LayerNorm, GELU, Conv1D projections ([in, out] weights). */
export const gpt2Family: ModelFamily<GPT2Config> = {
  id: 'gpt2',
  modelTypes: ['gpt2'],
  architectures: ['GPT2LMHeadModel'],
  configSchema: gpt2ConfigSchema,
  baseModelPrefix: 'transformer',
  weightDims: gpt2WeightDims,
  // the causal-mask buffers that older transformers saved in every block, and a tied head's copy
  ignoredWeights: [/\.attn\.bias$/, /\.attn\.masked_bias$/, /^lm_head\.weight$/],
  build: (c) => new GPT2LMHeadModel(c),
};
