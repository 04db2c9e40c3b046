import type { ActivationName } from '../../nn/activations.js';
import type { InvFreq } from '../../nn/rotary-embedding.js';
import { headDimOf } from '../config-fields.js';
import { ropeInvFreq } from '../rope-inv-freq.js';
import { type RopeScaling, ropeParametersOf } from '../rope-parameters.js';

/** The Llama module tree's settings, shared by Llama, Mistral and Qwen2, in TypeScript's terms. */
export interface LlamaArchitecture {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly hiddenAct: ActivationName;
  readonly rmsNormEps: number;
  readonly maxPositions: number;
  readonly tieWordEmbeddings: boolean;
  /** Biases of q_proj, k_proj, v_proj. */
  readonly qkvBias: boolean;
  readonly oBias: boolean;
  readonly mlpBias: boolean;
  readonly invFreq: InvFreq;
  /** Layer `i`'s sliding attention window, or undefined for full attention. */
  readonly slidingWindow: (layer: number) => number | undefined;
}

/** The `config.json` fields that Llama, Mistral and Qwen2 share. */
export interface LlamaLikeConfig {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number | null;
  readonly head_dim?: number | null;
  readonly hidden_act: ActivationName;
  readonly rms_norm_eps: number;
  readonly max_position_embeddings: number;
  readonly tie_word_embeddings: boolean;
  readonly rope_theta: number;
  readonly rope_scaling: RopeScaling | null;
  readonly rope_parameters?: RopeScaling;
}

export function llamaArchitecture(
  c: LlamaLikeConfig,
  opts: Pick<LlamaArchitecture, 'qkvBias' | 'oBias' | 'mlpBias' | 'slidingWindow'>,
): LlamaArchitecture {
  const headDim = headDimOf(c);
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKeyValueHeads: c.num_key_value_heads ?? c.num_attention_heads,
    headDim,
    hiddenAct: c.hidden_act,
    rmsNormEps: c.rms_norm_eps,
    maxPositions: c.max_position_embeddings,
    tieWordEmbeddings: c.tie_word_embeddings,
    invFreq: ropeInvFreq(ropeParametersOf(c), headDim, c.max_position_embeddings),
    ...opts,
  };
}
