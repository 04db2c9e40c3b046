import type { Tensor } from '../../graph/tensor.js';
import type { LayerCache } from '../../nn/attention.js';
import { Embedding } from '../../nn/embedding.js';
import { Module } from '../../nn/module.js';
import { ModuleList } from '../../nn/module-list.js';
import { RMSNorm } from '../../nn/norms.js';
import { RotaryEmbedding } from '../../nn/rotary-embedding.js';
import type { TraceContext } from '../../nn/trace-context.js';
import { CausalLMWithHead } from '../causal-lm-head.js';
import { runDecoderStack } from '../decoder-stack.js';
import type { DecoderInputs } from '../virtual-tokens.js';
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
  forward(ctx: TraceContext, inputs: DecoderInputs): { hidden: Tensor; present?: LayerCache[] } {
    const rotary = this.sub<RotaryEmbedding>('rotary_emb').forward(inputs.position_ids);
    const { h, present } = runDecoderStack(
      ctx,
      inputs,
      this.sub<ModuleList<LlamaDecoderLayer>>('layers'),
      inputs.inputs_embeds ?? this.sub('embed_tokens').forward(ctx, inputs.input_ids),
      (layer, x, plan, cache) => layer.forward(ctx, x, { plan, ...rotary }, cache),
    );
    const hidden = this.sub('norm').forward(ctx, h);
    return present ? { hidden, present } : { hidden };
  }
}

/** HF LlamaForCausalLM, also Mistral's and Qwen2's module tree (their settings differ). */
export class LlamaForCausalLM extends CausalLMWithHead<LlamaModel> {
  constructor(arch: LlamaArchitecture) {
    super(
      'model',
      new LlamaModel(arch),
      { embedding: 'embed_tokens', tied: arch.tieWordEmbeddings, hiddenSize: arch.hiddenSize },
      {
        vocabSize: arch.vocabSize,
        numLayers: arch.numLayers,
        numKeyValueHeads: arch.numKeyValueHeads,
        headDim: arch.headDim,
        maxPositions: arch.maxPositions,
      },
    );
  }
}
