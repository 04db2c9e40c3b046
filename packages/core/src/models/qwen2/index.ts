import { llamaArchitecture } from '../llama/architecture.js';
import { LlamaForCausalLM } from '../llama/model.js';
import { llamaWeightDims } from '../llama/weight-dims.js';
import type { ModelFamily } from '../model-family.js';
import { type Qwen2Config, qwen2ConfigSchema, qwen2SlidingWindow } from './config.js';

export { type Qwen2Config, qwen2ConfigSchema, qwen2SlidingWindow } from './config.js';

/** Qwen2 and Qwen2.5: Llama's module tree with q/k/v biases. */
export const qwen2Family: ModelFamily<Qwen2Config> = {
  id: 'qwen2',
  modelTypes: ['qwen2'],
  architectures: ['Qwen2ForCausalLM'],
  configSchema: qwen2ConfigSchema,
  baseModelPrefix: 'model',
  weightDims: llamaWeightDims,
  ignoredWeights: [/^lm_head\.weight$/],
  build: (c) =>
    new LlamaForCausalLM(
      llamaArchitecture(c, {
        qkvBias: true,
        oBias: false,
        mlpBias: false,
        slidingWindow: (layer) => qwen2SlidingWindow(c, layer),
      }),
    ),
};
