import {
  type Backend,
  type CausalLM,
  eosIds,
  type FinishReason,
  type GenerationConfig,
  type GenerationSample,
  type Generator,
  inputPositionsOf,
  resolveGenerationConfig,
  stopStrings,
  type Tokenizer,
} from '@tunekit/core';
import type { EvalPrompt } from '../data/index.js';
import { fitPrompt } from './fit-prompt.js';
import { GeneratorCache } from './generator-cache.js';

/**
 * An eval prompt with what the model answered, for metrics and for people to read (a core
 * GenerationSample, as TrainerCallback.onEvaluate receives them).
 */
export interface GeneratedSample extends EvalPrompt, GenerationSample {
  readonly reference: string;
  /** The new tokens' text, special tokens skipped, without the eos that ended it. */
  readonly prediction: string;
  readonly finishReason: FinishReason;
  /** The most new tokens the answer could take: max_new_tokens, or less where the prompt left fewer positions. */
  readonly maxNewTokens: number;
}

export interface GenerateSamplesOptions {
  readonly model: CausalLM;
  readonly backend: Backend;
  readonly tokenizer: Tokenizer;
  /**
   * transformers' generation settings (the model folder's generation_config.json with the user's
   * settings over it): eos_token_id, pad_token_id, max_new_tokens (default 64 here) and
   * stop_strings are used; decoding is greedy whatever do_sample says, so scores are repeatable.
   */
  readonly generationConfig?: GenerationConfig;
  /** Prompts generated together, left-padded. Default 8. */
  readonly batchSize?: number;
  /** Keeps the Generator for the next call (an Evaluator's); default one for this call only. */
  readonly generators?: GeneratorCache;
}

export const DEFAULT_EVAL_MAX_NEW_TOKENS = 64;

/**
 * Greedy continuations of each eval prompt, tokenised as training tokenised it (the tokenizer's
 * special tokens added, a BOS written twice kept once). The eos ids are the generation config's and
 * the tokenizer's. An answer gets max_new_tokens, or what the model's positions leave beside its
 * prompt when that is less (see `fitPrompt`; each sample says what it got).
 */
export async function generateSamples(
  samples: readonly EvalPrompt[],
  opts: GenerateSamplesOptions,
): Promise<GeneratedSample[]> {
  if (samples.length === 0) return [];
  const { model, tokenizer } = opts;
  const settings = resolveGenerationConfig(
    { max_new_tokens: DEFAULT_EVAL_MAX_NEW_TOKENS },
    opts.generationConfig ?? {},
  );
  const prompts = samples.map((s) =>
    fitPrompt(promptIds(tokenizer, s.prompt), settings.max_new_tokens, inputPositionsOf(model)),
  );
  // prompts whose answers may take as many tokens are generated together, in batches
  const groups = new Map<number, number[]>();
  prompts.forEach(({ maxNewTokens }, i) => {
    groups.set(maxNewTokens, [...(groups.get(maxNewTokens) ?? []), i]);
  });
  const generators = opts.generators ?? new GeneratorCache(model, opts.backend);
  // one Generator (and one upload of the weights) per max length for the whole call
  const taken = new Map<number, Generator>();
  const generatorOf = (maxLength: number) => {
    const generator = taken.get(maxLength) ?? generators.take(maxLength);
    taken.set(maxLength, generator);
    return generator;
  };
  const config: GenerationConfig = {
    ...settings,
    eos_token_id: [...eosIds(settings, tokenizer)],
    pad_token_id: settings.pad_token_id ?? tokenizer.padTokenId,
    stop_strings: [...stopStrings(settings)],
    do_sample: false,
  };
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const batchSize = opts.batchSize ?? 8;
  const out: GeneratedSample[] = new Array(samples.length);
  try {
    for (const [maxNewTokens, group] of groups) {
      const longest = Math.max(...group.map((i) => prompts[i].ids.length));
      const generator = generatorOf(Math.max(2, longest + maxNewTokens));
      for (let start = 0; start < group.length; start += batchSize) {
        const batch = group.slice(start, start + batchSize);
        const ids = batch.map((i) => prompts[i].ids);
        const rows = await generator.generate(
          ids,
          { ...config, max_new_tokens: maxNewTokens },
          {
            decode,
          },
        );
        rows.forEach((row, k) => {
          out[batch[k]] = {
            ...samples[batch[k]],
            prediction: row.text ?? decode(row.tokens),
            finishReason: row.finishReason,
            maxNewTokens,
          };
        });
      }
    }
  } finally {
    if (!opts.generators) generators.dispose();
  }
  return out;
}

/**
 * The prompt's token ids as training made them: with the tokenizer's added special tokens, but
 * only those in front (an eos it appends would end the prompt), and one BOS where the template
 * wrote one and the tokenizer added another.
 */
export function promptIds(tokenizer: Tokenizer, prompt: string): number[] {
  const { ids, offsets } = tokenizer.encodeWithOffsets(prompt, { addSpecialTokens: true });
  const added = (i: number) => offsets[i][0] === 0 && offsets[i][1] === 0;
  let end = ids.length;
  while (end > 0 && added(end - 1) && prompt !== '') end--;
  const bos = tokenizer.bosTokenId;
  const start =
    bos !== undefined && ids[0] === bos && ids[1] === bos && added(0) && !added(1) ? 1 : 0;
  return ids.slice(start, end);
}
