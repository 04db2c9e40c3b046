import type { Tensor } from '../../graph/tensor.js';
import type { AttentionPlan, LayerCache } from '../../nn/attention.js';
import { Embedding } from '../../nn/embedding.js';
import { Module } from '../../nn/module.js';
import { ModuleList } from '../../nn/module-list.js';
import { LayerNorm } from '../../nn/norms.js';
import type { TraceContext } from '../../nn/trace-context.js';
import { CausalLMWithHead } from '../causal-lm-head.js';
import { runDecoderStack } from '../decoder-stack.js';
import type { DecoderInputs } from '../virtual-tokens.js';
import { GPT2Attention } from './attention.js';
import type { GPT2Config } from './config.js';
import { GPT2MLP } from './mlp.js';

/** HF GPT2Block: pre-LayerNorm attention and MLP on the residual stream. */
export class GPT2Block extends Module {
  constructor(c: GPT2Config, layerIdx: number) {
    super();
    this.addModule('ln_1', new LayerNorm(c.n_embd, c.layer_norm_epsilon));
    this.addModule('attn', new GPT2Attention(c, layerIdx));
    this.addModule('ln_2', new LayerNorm(c.n_embd, c.layer_norm_epsilon));
    this.addModule('mlp', new GPT2MLP(c.n_embd, c.n_inner ?? 4 * c.n_embd, c.activation_function));
  }

  forward(
    ctx: TraceContext,
    h: Tensor,
    plan: AttentionPlan,
    cache?: LayerCache,
  ): { h: Tensor; present?: LayerCache } {
    const x = this.sub('ln_1').forward(ctx, h);
    const attn = this.sub<GPT2Attention>('attn').forward(ctx, x, plan, cache);
    const mid = h.add(attn.y);
    return {
      h: mid.add(this.sub('mlp').forward(ctx, this.sub('ln_2').forward(ctx, mid))),
      present: attn.present,
    };
  }
}

/** HF GPT2Model (`transformer.`): token and learned position embeddings, blocks, final LayerNorm. */
export class GPT2Model extends Module {
  constructor(c: GPT2Config) {
    super();
    this.addModule('wte', new Embedding(c.vocab_size, c.n_embd));
    this.addModule('wpe', new Embedding(c.n_positions, c.n_embd));
    const blocks = Array.from({ length: c.n_layer }, (_, i) => new GPT2Block(c, i));
    this.addModule('h', new ModuleList(blocks));
    this.addModule('ln_f', new LayerNorm(c.n_embd, c.layer_norm_epsilon));
  }

  forward(ctx: TraceContext, inputs: DecoderInputs): { hidden: Tensor; present?: LayerCache[] } {
    const tokens = inputs.inputs_embeds ?? this.sub('wte').forward(ctx, inputs.input_ids);
    const { h, present } = runDecoderStack(
      ctx,
      inputs,
      this.sub<ModuleList<GPT2Block>>('h'),
      tokens.add(this.sub('wpe').forward(ctx, inputs.position_ids)),
      (block, x, plan, cache) => block.forward(ctx, x, plan, cache),
    );
    const hidden = this.sub('ln_f').forward(ctx, h);
    return present ? { hidden, present } : { hidden };
  }
}

/** HF GPT2LMHeadModel; lm_head is tied to `transformer.wte` unless tie_word_embeddings is false. */
export class GPT2LMHeadModel extends CausalLMWithHead<GPT2Model> {
  constructor(c: GPT2Config) {
    super(
      'transformer',
      new GPT2Model(c),
      { embedding: 'wte', tied: c.tie_word_embeddings, hiddenSize: c.n_embd },
      {
        vocabSize: c.vocab_size,
        numLayers: c.n_layer,
        numKeyValueHeads: c.n_head,
        headDim: c.n_embd / c.n_head,
        maxPositions: c.n_positions,
      },
    );
  }
}
