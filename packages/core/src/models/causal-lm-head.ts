import type { Tensor } from '../graph/tensor.js';
import type { LayerCache } from '../nn/attention.js';
import { Linear } from '../nn/linear.js';
import { Module, type UnaryModule } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs, CausalLMShape } from './causal-lm.js';
import { checkCausalLMInputs } from './check-inputs.js';
import {
  isPrefixKeyValues,
  type PrefixKeyValues,
  withPrefixKeyValues,
} from './prefix-key-values.js';
import { headOf, type ModelHead } from './task-model.js';
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

/** transformers' name of a causal LM's output head. */
export const LM_HEAD = 'lm_head';

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
    else this.addModule(LM_HEAD, new Linear(opts.hiddenSize, shape.vocabSize));
  }

  /** The LM head (also when tied to the input embedding: HF's `get_output_embeddings()`). */
  get heads(): readonly ModelHead[] {
    return [{ name: LM_HEAD, size: this.shape.vocabSize }];
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs, head?: string): CausalLMOutputs {
    if (head !== undefined) headOf(this, head);
    checkCausalLMInputs(this.constructor.name, this.shape, inputs);
    // with a cache the caller holds the prefix in it (tracePrefix), as PEFT primes past_key_values
    const cached = inputs.cache !== undefined || inputs.past_key_values !== undefined;
    const { virtualTokens, prefixKeyValues } = this.prefixModules();
    const n = cached ? 0 : (virtualTokens?.numVirtualTokens() ?? 0);
    const [batch] = inputs.input_ids.shape;
    let bodyInputs: DecoderInputs = inputs;
    if (virtualTokens && n > 0) {
      const embed = this.getModule(this.embedding) as UnaryModule;
      bodyInputs = withVirtualTokens(
        ctx,
        inputs,
        virtualTokens.virtualTokenEmbeddings(ctx, batch),
        embed.forward(ctx, inputs.input_ids),
      );
    } else if (!cached && prefixKeyValues && prefixKeyValues.numPrefixTokens() > 0) {
      bodyInputs = withPrefixKeyValues(ctx, inputs, prefixKeyValues.prefixKeyValues(ctx, batch));
    }
    const { hidden, present } = this.sub<B>(this.bodyName).forward(ctx, bodyInputs);
    const project = (h: Tensor) =>
      this.tied ? this.tied.logits(ctx, h) : this.sub(LM_HEAD).forward(ctx, h);
    // the input tokens' rows: the virtual tokens' carry no label (PEFT's -100)
    const own = n > 0 ? hidden.narrow(1, n, hidden.dim(1)) : hidden;
    const outputs = { logits: project(own), head: { hidden: own, project } };
    // the prefix's keys and values are no cache the caller gave, so they are not returned
    return present && cached ? { ...outputs, present } : outputs;
  }

  /**
   * How many tokens the active prefix-family adapter puts before every input: prefix tuning's
   * prefix, prompt tuning's and P-tuning's virtual tokens; 0 without one. A caller that runs the
   * model with a KV cache holds them in its first slots (see `tracePrefix`).
   */
  prefixLength(): number {
    const { virtualTokens, prefixKeyValues } = this.prefixModules();
    return (virtualTokens?.numVirtualTokens() ?? 0) || (prefixKeyValues?.numPrefixTokens() ?? 0);
  }

  /**
   * The keys and values [B, Hkv, N, D] of each layer that the active prefix-family adapter puts
   * before every input, for a KV cache's first N slots: prefix tuning's table as it is; the virtual
   * tokens run through the model at positions 0..N-1 (they see only each other, so this is what a
   * full forward computes for them). Computed once per generation, not at every step.
   */
  tracePrefix(ctx: TraceContext, batch: number): LayerCache[] {
    const { virtualTokens, prefixKeyValues } = this.prefixModules();
    const n = virtualTokens?.numVirtualTokens() ?? 0;
    if (!virtualTokens || n === 0) {
      if (!prefixKeyValues || prefixKeyValues.numPrefixTokens() === 0)
        throw new Error('tracePrefix: the model has no active prefix-family adapter');
      return prefixKeyValues.prefixKeyValues(ctx, batch);
    }
    const { b } = ctx;
    const { numLayers, numKeyValueHeads, headDim } = this.shape;
    const empty = b.constant(0, [batch, numKeyValueHeads, n, headDim]);
    const positions = b.arange(n);
    const { present } = this.sub<B>(this.bodyName).forward(ctx, {
      // read only through inputs_embeds
      input_ids: b.constant(0, [batch, n], 'i32'),
      position_ids: positions.unsqueeze(0).broadcastTo([batch, n]),
      inputs_embeds: virtualTokens.virtualTokenEmbeddings(ctx, batch),
      cache: {
        positions,
        layers: Array.from({ length: numLayers }, () => ({ key: empty, value: empty })),
      },
    });
    return present as LayerCache[];
  }

  /** The prompt-learning modules a PEFT method added to this model, if any. */
  private prefixModules(): { virtualTokens?: VirtualTokens; prefixKeyValues?: PrefixKeyValues } {
    const modules = this.namedModules().map(([, module]) => module);
    return {
      virtualTokens: modules.find(isVirtualTokens),
      prefixKeyValues: modules.find(isPrefixKeyValues),
    };
  }
}
