import { ops } from '../graph/functional.js';
import type { LayerCache } from '../nn/attention.js';
import type { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLMInputs } from './causal-lm.js';

/** The brand a `PrefixKeyValues` module carries: `readonly [PREFIX_KEY_VALUES] = true as const`. */
export const PREFIX_KEY_VALUES = Symbol.for('tunekit.PrefixKeyValues');

/**
 * A module that puts learned keys and values before the input tokens' in every attention layer:
 * the extension point of PEFT's prefix tuning (and P-Tuning v2). A method adds one to the model
 * tree; the causal LM finds it and runs attention over the prefix first, as PEFT passes
 * `past_key_values = get_prompt(batch_size)` to the base model.
 */
export interface PrefixKeyValues extends Module {
  readonly [PREFIX_KEY_VALUES]: true;
  /** How many prefix tokens N forward puts first now: 0 while disabled or no adapter of it is active. */
  numPrefixTokens(): number;
  /** Each layer's prefix keys and values [batch, Hkv, N, D] (keys as attention compares them: no rotary). */
  prefixKeyValues(ctx: TraceContext, batch: number): LayerCache[];
}

// a brand rather than `instanceof`, so two copies of @tunekit/core still recognise each other's modules
export function isPrefixKeyValues(module: Module): module is PrefixKeyValues {
  return (module as Partial<Record<typeof PREFIX_KEY_VALUES, boolean>>)[PREFIX_KEY_VALUES] === true;
}

/**
 * The inputs with N prefix tokens' keys and values before the T input tokens, as PEFT runs a
 * prefix-tuned model: they are the layers' `past_key_values` [B, Hkv, N, D]; the input tokens take
 * their own positions + N (PEFT offsets `position_ids` by num_virtual_tokens); every input token
 * sees the whole prefix (PEFT's attention-mask prefix of ones), so a given mask [B, 1, T, T] gets N
 * visible columns first.
 */
export function withPrefixKeyValues(
  ctx: TraceContext,
  inputs: CausalLMInputs,
  prefix: LayerCache[],
): CausalLMInputs {
  const [batch, seq] = inputs.input_ids.shape;
  const n = prefix[0].key.dim(2);
  const extended = {
    ...inputs,
    position_ids: inputs.position_ids.add(ctx.b.scalar(n, 'i32')),
    past_key_values: prefix,
  };
  if (!inputs.attention_mask) return extended;
  const seen = ctx.b.constant(0, [batch, 1, seq, n]);
  return { ...extended, attention_mask: ops.concat([seen, inputs.attention_mask], 3) };
}
