import { HostTensor, type Module, type PeftContext, randomNormal, UserError } from '@tunekit/core';
import type { AppliedPromptLearning } from './prompt-learning-config.js';
import type { PromptTuningConfig } from './prompt-tuning-config.js';

/**
 * The initial prompt embeddings [num_virtual_tokens, token_dim] as PEFT's `PromptEmbedding` makes
 * them: RANDOM normal with std 1; SAMPLE_VOCAB the word-embedding rows of tokens drawn uniformly;
 * TEXT the rows of the text's tokens (with the tokenizer's special tokens, as `tokenizer(text)`),
 * repeated and cut to the number of virtual tokens. An adapter added for inference starts RANDOM
 * (PEFT skips the other inits then; its weights are loaded next).
 */
export function initialPrompt(
  model: Module,
  config: AppliedPromptLearning<PromptTuningConfig>,
  ctx: PeftContext,
): HostTensor {
  const rows = config.num_virtual_tokens * config.num_transformer_submodules;
  const dim = config.token_dim;
  const init = config.inference_mode ? 'RANDOM' : config.prompt_tuning_init;
  if (init === 'RANDOM')
    return HostTensor.from('f32', [rows, dim], randomNormal(rows * dim, ctx.random));
  const words = wordEmbeddings(model, dim);
  const vocab = words.shape[0];
  const ids =
    init === 'SAMPLE_VOCAB'
      ? Array.from({ length: rows }, () => Math.floor(ctx.random() * vocab))
      : fitted(textIds(config, ctx), rows);
  const table = words.toFloat64();
  const out = new Float64Array(rows * dim);
  for (const [r, id] of ids.entries()) out.set(table.subarray(id * dim, (id + 1) * dim), r * dim);
  return HostTensor.from('f32', [rows, dim], out);
}

function textIds(config: PromptTuningConfig, ctx: PeftContext): number[] {
  if (!ctx.tokenizer)
    throw new UserError(
      "prompt_tuning_init: 'TEXT' needs the model's tokenizer; give `tokenizer` in the PeftModel options",
    );
  const ids = ctx.tokenizer.encode(config.prompt_tuning_init_text ?? '');
  if (ids.length === 0) throw new UserError('prompt_tuning_init_text: the text has no tokens');
  return ids;
}

/** `ids` repeated until there are `n`, then cut to `n` (PEFT's trim-or-iterate). */
function fitted(ids: readonly number[], n: number): number[] {
  const reps = Math.ceil(n / ids.length);
  return Array.from({ length: reps }, () => ids)
    .flat()
    .slice(0, n);
}

/**
 * The input word embeddings, found as PEFT finds them: the first weight with a row per vocabulary
 * entry (`model.embed_tokens.weight`, `transformer.wte.weight`).
 */
function wordEmbeddings(model: Module, dim: number): HostTensor {
  const vocab = (model as { shape?: { vocabSize?: number } }).shape?.vocabSize;
  const found = model
    .namedParameters()
    .find(([, p]) => p.shape.length === 2 && p.shape[0] === vocab && p.shape[1] === dim);
  if (!found)
    throw new UserError(
      `prompt_tuning_init: found no word embeddings of ${vocab ?? '?'} rows of token_dim ${dim} in the model`,
    );
  return found[1].value;
}
