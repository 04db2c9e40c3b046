import type { Tensor } from '../graph/tensor.js';
import type { LayerCache } from '../nn/attention.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs, CausalLMShape } from './causal-lm.js';
import { checkCausalLMInputs } from './check-inputs.js';
import { TiedEmbeddings } from './tied-embeddings.js';

/** The base model under the head: final hidden states [B, T, H] and the written caches. */
export interface DecoderBody extends Module {
  forward(ctx: TraceContext, inputs: CausalLMInputs): { hidden: Tensor; present?: LayerCache[] };
}

/**
 * HF's `*ForCausalLM` / `*LMHeadModel`: the base model under `bodyName` (`model`, `transformer`)
 * and an `lm_head`, or, with `tie_word_embeddings`, the input embedding's weight as the output
 * projection (then there is no `lm_head` parameter, as in HF checkpoints of tied models).
 */
export abstract class CausalLMWithHead<B extends DecoderBody> extends Module implements CausalLM {
  private readonly tied?: TiedEmbeddings;

  protected constructor(
    private readonly bodyName: string,
    body: B,
    opts: { embedding: string; tied: boolean; hiddenSize: number },
    readonly shape: CausalLMShape,
  ) {
    super();
    this.addModule(bodyName, body);
    if (opts.tied) this.tied = new TiedEmbeddings(body.getModule(opts.embedding));
    else this.addModule('lm_head', new Linear(opts.hiddenSize, shape.vocabSize));
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs): CausalLMOutputs {
    checkCausalLMInputs(this.constructor.name, this.shape, inputs);
    const { hidden, present } = this.sub<B>(this.bodyName).forward(ctx, inputs);
    const logits = this.tied
      ? this.tied.logits(ctx, hidden)
      : this.sub('lm_head').forward(ctx, hidden);
    return present ? { logits, present } : { logits };
  }
}
