import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';
import type { Module } from '../nn/module.js';
import { segmentMask } from '../nn/segment-mask.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLMInputs } from './causal-lm.js';

/** The brand a `VirtualTokens` module carries: `readonly [VIRTUAL_TOKENS] = true as const`. */
export const VIRTUAL_TOKENS = Symbol.for('tunekit.VirtualTokens');

/**
 * A module that puts learned virtual tokens before the input tokens: the extension point of PEFT's
 * prompt-learning methods that work at the embedding layer (prompt tuning, P-tuning). A method adds
 * one to the model tree; the causal LM finds it and prepends its embeddings, as PEFT's
 * `PeftModelForCausalLM.forward` does with `inputs_embeds = cat(prompts, word_embeddings(input_ids))`.
 */
export interface VirtualTokens extends Module {
  readonly [VIRTUAL_TOKENS]: true;
  /** How many tokens forward prepends now: 0 while disabled or when no adapter of it is active. */
  numVirtualTokens(): number;
  /** The virtual tokens' embeddings [batch, numVirtualTokens(), hidden]. */
  virtualTokenEmbeddings(ctx: TraceContext, batch: number): Tensor;
}

// a brand rather than `instanceof`, so two copies of @tunekit/core still recognise each other's modules
export function isVirtualTokens(module: Module): module is VirtualTokens {
  return (module as Partial<Record<typeof VIRTUAL_TOKENS, boolean>>)[VIRTUAL_TOKENS] === true;
}

/** The inputs of a decoder body: the causal LM's, with the input embeddings when it made them. */
export interface DecoderInputs extends CausalLMInputs {
  /** f32 [B, T', H]: used instead of embedding `input_ids` (HF's `inputs_embeds`); T' may exceed T. */
  readonly inputs_embeds?: Tensor;
}

/**
 * The inputs with N virtual tokens before the T input tokens, as PEFT runs a prompt-learning model:
 * `inputs_embeds` is cat(prompts, embeddings) [B, N + T, H]; the virtual tokens take positions
 * 0..N-1 and the input tokens their own positions + N (PEFT drops `position_ids`, so a plain row
 * gets 0..N+T-1 as here; a packed row's examples each start at N); every input token sees the
 * virtual tokens (PEFT's mask prefix of ones), which see each other causally. Positions past the
 * first N are the input tokens', so the caller keeps the last T rows of the logits (PEFT pads the
 * labels with -100 instead: the same loss).
 */
export function withVirtualTokens(
  ctx: TraceContext,
  inputs: CausalLMInputs,
  prompts: Tensor,
  embeddings: Tensor,
): DecoderInputs {
  const { b } = ctx;
  const [batch, seq] = inputs.input_ids.shape;
  const n = prompts.dim(1);
  const virtualPositions = b.arange(n).unsqueeze(0).broadcastTo([batch, n]);
  const position_ids = ops.concat(
    [virtualPositions, inputs.position_ids.add(b.scalar(n, 'i32'))],
    1,
  );
  const extended: DecoderInputs = {
    ...inputs,
    position_ids,
    inputs_embeds: ops.concat([prompts, embeddings], 1),
  };
  // packed rows: their block-diagonal causal mask, dense, to extend with the virtual tokens' keys
  const mask =
    inputs.attention_mask ??
    (inputs.segment_ids && segmentMask(inputs.segment_ids, { causal: true }));
  if (!mask) return extended;
  // rows of the virtual tokens: causal among themselves, blind to the input tokens
  const hidden = Number.NEGATIVE_INFINITY;
  const top = Array.from({ length: n }, (_, q) =>
    Array.from({ length: n + seq }, (_, k) => (k <= q ? 0 : hidden)),
  ).flat();
  const virtualRows = b.constant(top, [1, 1, n, n + seq]).broadcastTo([batch, 1, n, n + seq]);
  const seen = b.constant(0, [batch, 1, seq, n]);
  const tokenRows = ops.concat([seen, mask], 3);
  return {
    ...extended,
    attention_mask: ops.concat([virtualRows, tokenRows], 2),
    segment_ids: undefined,
  };
}
