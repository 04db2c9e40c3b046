import type { Tensor } from '../../graph/tensor.js';
import { AttentionPlan, type LayerCache } from '../../nn/attention.js';
import { Embedding } from '../../nn/embedding.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { ModuleList } from '../../nn/module-list.js';
import { RMSNorm } from '../../nn/norms.js';
import { RotaryEmbedding } from '../../nn/rotary-embedding.js';
import type { TraceContext } from '../../nn/trace-context.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs, CausalLMShape } from '../causal-lm.js';
import { checkCausalLMInputs } from '../check-inputs.js';
import { TiedEmbeddings } from '../tied-embeddings.js';
import type { LlamaArchitecture } from './architecture.js';
import { LlamaAttention, type LlamaPass } from './attention.js';
import { LlamaMLP } from './mlp.js';

/** HF LlamaDecoderLayer: pre-norm attention and MLP, each added to the residual stream. */
export class LlamaDecoderLayer extends Module {
  constructor(arch: LlamaArchitecture, layerIdx: number) {
    super();
    this.addModule('self_attn', new LlamaAttention(arch, layerIdx));
    this.addModule('mlp', new LlamaMLP(arch));
    this.addModule('input_layernorm', new RMSNorm(arch.hiddenSize, arch.rmsNormEps));
    this.addModule('post_attention_layernorm', new RMSNorm(arch.hiddenSize, arch.rmsNormEps));
  }

  forward(
    ctx: TraceContext,
    h: Tensor,
    pass: LlamaPass,
    cache?: LayerCache,
  ): { h: Tensor; present?: LayerCache } {
    const x = this.sub('input_layernorm').forward(ctx, h);
    const attn = this.sub<LlamaAttention>('self_attn').forward(ctx, x, pass, cache);
    const mid = h.add(attn.y);
    const y = this.sub('mlp').forward(ctx, this.sub('post_attention_layernorm').forward(ctx, mid));
    return { h: mid.add(y), present: attn.present };
  }
}

/** HF LlamaModel (`model.`): embeddings, decoder layers, final norm. */
export class LlamaModel extends Module {
  constructor(arch: LlamaArchitecture) {
    super();
    this.addModule('embed_tokens', new Embedding(arch.vocabSize, arch.hiddenSize));
    const layers = Array.from({ length: arch.numLayers }, (_, i) => new LlamaDecoderLayer(arch, i));
    this.addModule('layers', new ModuleList(layers));
    this.addModule('norm', new RMSNorm(arch.hiddenSize, arch.rmsNormEps));
    this.addModule('rotary_emb', new RotaryEmbedding(arch.headDim, arch.invFreq));
  }

  /** The final hidden states [B, T, H], and the caches with this pass written in. */
  forward(ctx: TraceContext, inputs: CausalLMInputs): { hidden: Tensor; present?: LayerCache[] } {
    const { input_ids: ids, position_ids: positionIds, attention_mask: mask, cache } = inputs;
    const past = inputs.past_key_values;
    const plan = new AttentionPlan(ctx.b, {
      seq: ids.dim(1),
      mask,
      cache: cache && { positions: cache.positions, length: cache.layers[0].key.dim(2) },
      past: past?.[0].key.dim(2),
    });
    const pass = { plan, ...this.sub<RotaryEmbedding>('rotary_emb').forward(positionIds) };
    const layers = this.sub<ModuleList<LlamaDecoderLayer>>('layers');
    let h = this.sub('embed_tokens').forward(ctx, ids);
    const present: LayerCache[] = [];
    for (let i = 0; i < layers.length; i++) {
      const out = layers.at(i).forward(ctx, h, pass, cache?.layers[i] ?? past?.[i]);
      h = out.h;
      if (out.present) present.push(out.present);
    }
    const hidden = this.sub('norm').forward(ctx, h);
    return cache || past ? { hidden, present } : { hidden };
  }
}

/** HF LlamaForCausalLM, also Mistral's and Qwen2's module tree (their settings differ). */
export class LlamaForCausalLM extends Module implements CausalLM {
  readonly shape: CausalLMShape;
  private readonly tied?: TiedEmbeddings;

  constructor(arch: LlamaArchitecture) {
    super();
    const model = this.addModule('model', new LlamaModel(arch));
    if (arch.tieWordEmbeddings) this.tied = new TiedEmbeddings(model.getModule('embed_tokens'));
    else this.addModule('lm_head', new Linear(arch.hiddenSize, arch.vocabSize));
    this.shape = {
      vocabSize: arch.vocabSize,
      numLayers: arch.numLayers,
      numKeyValueHeads: arch.numKeyValueHeads,
      headDim: arch.headDim,
      maxPositions: arch.maxPositions,
    };
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs): CausalLMOutputs {
    checkCausalLMInputs('LlamaForCausalLM', this.shape, inputs);
    const { hidden, present } = this.sub<LlamaModel>('model').forward(ctx, inputs);
    const logits = this.tied
      ? this.tied.logits(ctx, hidden)
      : this.sub('lm_head').forward(ctx, hidden);
    return present ? { logits, present } : { logits };
  }
}
