import type { ZodType } from 'zod';
import type { CausalLM } from './causal-lm.js';

/**
 * Which `config.json` field sets each dimension of a checkpoint tensor, keyed by how the tensor's
 * name ends (the first matching ending wins), e.g. `'q_proj.weight': ['num_attention_heads × head_dim',
 * 'hidden_size']`.
 */
export type WeightDims = Readonly<Record<string, readonly string[]>>;

/** A parsed `config.json`: the family's fields with their defaults, unknown keys kept as they are. */
export type HfConfig = Readonly<Record<string, unknown>>;

/**
 * A model architecture, matched against an HF `config.json` (transformers.js's family registry):
 * its config schema and how to build its module tree. Registered under `TOKENS.ModelFamily`.
 */
export interface ModelFamily<C extends HfConfig = HfConfig> {
  /** 'llama' */
  readonly id: string;
  /** `config.json` `model_type` values it builds, e.g. ['llama']. */
  readonly modelTypes: readonly string[];
  /** `config.json` `architectures` entries it builds, e.g. ['LlamaForCausalLM']. */
  readonly architectures: readonly string[];
  /** `config.json` with transformers' key names and defaults; unknown keys pass through. */
  readonly configSchema: ZodType<C>;
  /**
   * transformers' `base_model_prefix` ('model', 'transformer'): a checkpoint of the bare base model
   * (no key starts with it) gets it prepended on load, as transformers does.
   */
  readonly baseModelPrefix: string;
  /**
   * transformers' `_keys_to_ignore_on_load_unexpected`: checkpoint tensors that are not parameters
   * (GPT-2's `attn.bias` mask buffers, old Llama `rotary_emb.inv_freq`) and are skipped on load.
   */
  readonly ignoredWeights: readonly RegExp[];
  /** The config fields behind the weights' dimensions, to blame a shape mismatch on the config. */
  readonly weightDims?: WeightDims;
  /** A fresh module tree for `config`: linear weights zero, norm weights one, ready to be loaded. */
  build(config: C): CausalLM;
}
