import { UserError } from '../errors/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { LayerCache } from '../nn/attention.js';
import { Linear } from '../nn/linear.js';
import { Module, type UnaryModule } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs, CausalLMShape } from './causal-lm.js';
import { checkCausalLMInputs } from './check-inputs.js';
import { TiedEmbeddings } from './tied-embeddings.js';
import {
  type DecoderInputs,
  isVirtualTokens,
  type VirtualTokens,
  withVirtualTokens,
} from './virtual-tokens.js';

/**
 * The base model under the head: final hidden states [B, T, H] (T' with `inputs_embeds`) and the
 * written caches.
 */
export interface DecoderBody extends Module {
  forward(ctx: TraceContext, inputs: DecoderInputs): { hidden: Tensor; present?: LayerCache[] };
}

/**
 * HF's `*ForCausalLM` / `*LMHeadModel`: the base model under `bodyName` (`model`, `transformer`)
 * and an `lm_head`, or, with `tie_word_embeddings`, the input embedding's weight as the output
 * projection (then there is no `lm_head` parameter, as in HF checkpoints of tied models).
 */
export abstract class CausalLMWithHead<B extends DecoderBody> extends Module implements CausalLM {
  private readonly tied?: TiedEmbeddings;
  private readonly embedding: string;

  protected constructor(
    private readonly bodyName: string,
    body: B,
    opts: { embedding: string; tied: boolean; hiddenSize: number },
    readonly shape: CausalLMShape,
  ) {
    super();
    this.addModule(bodyName, body);
    this.embedding = `${bodyName}.${opts.embedding}`;
    if (opts.tied) this.tied = new TiedEmbeddings(body.getModule(opts.embedding));
    else this.addModule('lm_head', new Linear(opts.hiddenSize, shape.vocabSize));
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs): CausalLMOutputs {
    checkCausalLMInputs(this.constructor.name, this.shape, inputs);
    const prompt = this.virtualTokens();
    const n = prompt?.numVirtualTokens() ?? 0;
    let bodyInputs: DecoderInputs = inputs;
    if (prompt && n > 0) {
      if (inputs.cache || inputs.past_key_values)
        throw new UserError(
          'virtual tokens (prompt tuning, P-tuning) do not run with a key/value cache yet; generate without one',
        );
      const [batch] = inputs.input_ids.shape;
      const embed = this.getModule(this.embedding) as UnaryModule;
      bodyInputs = withVirtualTokens(
        ctx,
        inputs,
        prompt.virtualTokenEmbeddings(ctx, batch),
        embed.forward(ctx, inputs.input_ids),
      );
    }
    const { hidden, present } = this.sub<B>(this.bodyName).forward(ctx, bodyInputs);
    const project = (h: Tensor) =>
      this.tied ? this.tied.logits(ctx, h) : this.sub('lm_head').forward(ctx, h);
    // the input tokens' rows: the virtual tokens' carry no label (PEFT's -100)
    const own = n > 0 ? hidden.narrow(1, n, hidden.dim(1)) : hidden;
    const outputs = { logits: project(own), head: { hidden: own, project } };
    return present ? { ...outputs, present } : outputs;
  }

  /** The prompt-learning module a PEFT method added to this model, if any. */
  private virtualTokens(): VirtualTokens | undefined {
    return this.namedModules()
      .map(([, module]) => module)
      .find(isVirtualTokens);
  }
}
