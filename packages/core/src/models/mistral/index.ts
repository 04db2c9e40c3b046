import { llamaArchitecture } from '../llama/architecture.js';
import { LlamaForCausalLM } from '../llama/model.js';
import { llamaWeightDims } from '../llama/weight-dims.js';
import type { ModelFamily } from '../model-family.js';
import { type MistralConfig, mistralConfigSchema } from './config.js';

export { type MistralConfig, mistralConfigSchema } from './config.js';

/** Mistral: Llama's module tree without biases, with sliding-window attention in every layer. */
export const mistralFamily: ModelFamily<MistralConfig> = {
  id: 'mistral',
  modelTypes: ['mistral'],
  architectures: ['MistralForCausalLM'],
  configSchema: mistralConfigSchema,
  baseModelPrefix: 'model',
  weightDims: llamaWeightDims,
  ignoredWeights: [/^lm_head\.weight$/],
  build: (c) =>
    new LlamaForCausalLM(
      llamaArchitecture(c, {
        qkvBias: false,
        oBias: false,
        mlpBias: false,
        slidingWindow: () => c.sliding_window ?? undefined,
      }),
    ),
};
