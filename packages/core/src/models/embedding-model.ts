import type { Tensor } from '../graph/tensor.js';
import { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs } from './causal-lm.js';
import type { DecoderBody } from './causal-lm-head.js';
import type { ModelFamily } from './model-family.js';
import { refusePrefixAdapters } from './refuse-prefix-adapters.js';
import { headOf, type ModelHead, type TaskModel, type TrunkShape } from './task-model.js';

/** The one output of an embedding model: its last hidden states, transformers' name. */
export const LAST_HIDDEN_STATE = 'last_hidden_state';

/**
 * transformers' `AutoModel` of a decoder family (`LlamaModel`, `GPT2Model`): the base model alone,
 * what PEFT's FEATURE_EXTRACTION task wraps. Its modules are the base model's own children, so
 * their paths have no `model.` prefix (`layers.0.self_attn.q_proj`) and an adapter's keys are
 * PEFT's (`base_model.model.layers.0.self_attn.q_proj.lora_A.weight`). `logits` are the last hidden
 * states [B, T, hidden] (`last_hidden_state`), which a pooling turns into embeddings.
 */
export class EmbeddingModel extends Module implements TaskModel {
  readonly shape: TrunkShape;
  readonly heads: readonly ModelHead[];

  constructor(
    private readonly body: DecoderBody,
    trunkShape: TrunkShape,
    readonly hiddenSize: number,
  ) {
    super();
    for (const [path, child] of body.namedModules())
      if (path !== '' && !path.includes('.')) this.addModule(path, child);
    const { numLayers, numKeyValueHeads, headDim, maxPositions } = trunkShape;
    this.shape = { numLayers, numKeyValueHeads, headDim, maxPositions };
    this.heads = [{ name: LAST_HIDDEN_STATE, size: hiddenSize }];
  }

  /** The embedding model over `causal`'s base model (weights shared; the LM head left out, as AutoModel does). */
  static fromCausalLM(causal: CausalLM, family: ModelFamily): EmbeddingModel {
    const body = causal.getModule(family.baseModelPrefix) as DecoderBody;
    const embedding = body
      .namedParameters()
      .find(([, p]) => p.shape.length === 2 && p.shape[0] === causal.shape.vocabSize);
    if (!embedding) throw new Error(`${family.id}: no input embedding found in the base model`);
    return new EmbeddingModel(body, causal.shape, embedding[1].shape[1]);
  }

  /** A child swapped here (a PEFT wrapper) is swapped in the base model too, which runs it. */
  override setModule(path: string, module: Module): void {
    super.setModule(path, module);
    if (!path.includes('.')) this.body.setModule(path, module);
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs, head?: string): CausalLMOutputs {
    if (head !== undefined) headOf(this, head);
    refusePrefixAdapters(this);
    const { hidden } = this.body.forward(ctx, inputs);
    return { logits: hidden, head: { hidden, project: (h) => h } };
  }
}

/**
 * Sentence embeddings from last hidden states [R, T, H]: each row's states averaged over the
 * tokens `labels` marks (not -100: every token for mean pooling, the last for last-token pooling)
 * and normalised to unit length (sentence-transformers' Pooling + Normalize). A row without marked
 * tokens (batch padding) gives zeros.
 */
export function poolEmbeddings(hidden: Tensor, labels: Tensor, ignoreIndex = -100): Tensor {
  const mask = labels.equal(ignoreIndex).cast('f32').neg().add(1).unsqueeze(-1);
  const pooled = hidden.mul(mask).sum(1).div(mask.sum(1).maximum(1));
  return pooled.mul(pooled.square().sum(-1, true).add(1e-12).rsqrt());
}
