import { type CausalLMShape, type Module, type PeftMethod, UserError } from '@tunekit/core';
import { type AppliedPrefixTuning, PrefixEncoder } from './prefix-encoder.js';
import { PrefixEncoderLayer } from './prefix-encoder-layer.js';
import { withPrefixSizes } from './prefix-sizes.js';
import {
  type PrefixTuningConfig,
  prefixTuningConfigSchema,
  pTuningV2ConfigSchema,
} from './prefix-tuning-config.js';

/**
 * Prefix tuning (Li & Liang 2021) as Hugging Face PEFT defines it: method id 'prefix_tuning',
 * `peft_type` 'PREFIX_TUNING'. Every attention layer attends first to `num_virtual_tokens` learned
 * keys and values; the model's weights stay frozen. With `prefix_projection` an MLP produces them
 * while training. Saved as PEFT saves it: one tensor `prompt_embeddings`
 * [num_virtual_tokens, num_layers * 2 * token_dim], the projection's output when it is on.
 */
export const prefixTuningMethod: PeftMethod<PrefixTuningConfig> = {
  id: 'prefix_tuning',
  prefix: 'prefix_encoder.',
  isPromptLearning: true,
  configSchema: prefixTuningConfigSchema,
  inject(model, config, adapterName, ctx) {
    const applied = withPrefixSizes(config, ctx.modelConfig);
    const heads = {
      numLayers: applied.num_layers,
      heads: applied.num_attention_heads,
      headDim: applied.token_dim / applied.num_attention_heads,
    };
    checkFits(model, applied, heads);
    const encoder = new PrefixEncoder(applied, ctx.random);
    PrefixEncoderLayer.of(model).add(adapterName, encoder, heads);
    return applied;
  },
  // PEFT saves the table alone; the projection's weights (trained, not saved) keep their own names
  stateKey: (_, local) => (local === 'embedding.weight' ? 'prompt_embeddings' : local),
};

/**
 * P-Tuning v2 (Liu et al. 2022): deep prompts in every layer, which is prefix tuning without the
 * projection. A named variant: method id 'p_tuning_v2', saved with `peft_type` 'PREFIX_TUNING' and
 * `prefix_projection: false`, so PEFT loads it as prefix tuning.
 */
export const pTuningV2Method: PeftMethod<PrefixTuningConfig> = {
  ...prefixTuningMethod,
  id: 'p_tuning_v2',
  peftType: 'PREFIX_TUNING',
  configSchema: pTuningV2ConfigSchema,
};

/** The prefix must have the model's layers, key/value heads and head width. */
function checkFits(
  model: Module,
  config: AppliedPrefixTuning,
  heads: { numLayers: number; heads: number; headDim: number },
): void {
  const shape = (model as { shape?: Partial<CausalLMShape> }).shape;
  if (!shape) return;
  const want = `the model has ${shape.numLayers} layers of ${shape.numKeyValueHeads} key/value heads of width ${shape.headDim}`;
  if (shape.numLayers !== undefined && shape.numLayers !== heads.numLayers)
    throw new UserError(`num_layers: ${config.num_layers}, but ${want}`);
  if (
    (shape.numKeyValueHeads !== undefined && shape.numKeyValueHeads !== heads.heads) ||
    (shape.headDim !== undefined && shape.headDim !== heads.headDim)
  )
    throw new UserError(
      `num_attention_heads ${config.num_attention_heads} and token_dim ${config.token_dim} give ${heads.heads} heads of width ${heads.headDim}, but ${want}`,
    );
}
