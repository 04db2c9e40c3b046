import type { ModelFamily } from '../model-family.js';
import { llamaArchitecture } from './architecture.js';
import { type LlamaConfig, llamaConfigSchema } from './config.js';
import { LlamaForCausalLM } from './model.js';
import { llamaWeightDims } from './weight-dims.js';

export { type LlamaArchitecture, type LlamaLikeConfig, llamaArchitecture } from './architecture.js';
export { LlamaAttention, type LlamaPass } from './attention.js';
export { type LlamaConfig, llamaConfigSchema } from './config.js';
export { LlamaMLP } from './mlp.js';
export { LlamaDecoderLayer, LlamaForCausalLM, LlamaModel } from './model.js';
export { llamaWeightDims } from './weight-dims.js';

/** Llama (and SmolLM, TinyLlama: model_type 'llama'). */
export const llamaFamily: ModelFamily<LlamaConfig> = {
  id: 'llama',
  modelTypes: ['llama'],
  architectures: ['LlamaForCausalLM'],
  configSchema: llamaConfigSchema,
  baseModelPrefix: 'model',
  weightDims: llamaWeightDims,
  // old checkpoints saved the rotary buffer; tied ones may still carry a copy of the embedding
  ignoredWeights: [/\.rotary_emb\.inv_freq$/, /^lm_head\.weight$/],
  build: (c) =>
    new LlamaForCausalLM(
      llamaArchitecture(c, {
        qkvBias: c.attention_bias,
        oBias: c.attention_bias,
        mlpBias: c.mlp_bias,
        slidingWindow: () => undefined,
      }),
    ),
};
