import {
  type Backend,
  type CausalLM,
  eosIds,
  type FinishReason,
  type GenerationConfig,
  type GenerationSample,
  resolveGenerationConfig,
  stopStrings,
  type Tokenizer,
  UserError,
} from '@tunekit/core';
import type { EvalPrompt } from '../data/index.js';
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
 * the tokenizer's. A prompt too long for the model's positions keeps its last tokens.
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
  const maxNewTokens = settings.max_new_tokens;
  const room = model.shape.maxPositions - maxNewTokens;
  if (room < 1)
    throw new UserError(
      `eval generation: max_new_tokens ${maxNewTokens} leaves no room for a prompt in the model's ${model.shape.maxPositions} positions`,
    );
  const prompts = samples.map((s) => promptIds(tokenizer, s.prompt).slice(-room));
  const longest = Math.max(...prompts.map((p) => p.length));
  const generators = opts.generators ?? new GeneratorCache(model, opts.backend);
  const generator = generators.take(
    Math.max(2, Math.min(model.shape.maxPositions, longest + maxNewTokens)),
  );
  const config: GenerationConfig = {
    ...settings,
    eos_token_id: [...eosIds(settings, tokenizer)],
    pad_token_id: settings.pad_token_id ?? tokenizer.padTokenId,
    stop_strings: [...stopStrings(settings)],
    do_sample: false,
  };
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const batchSize = opts.batchSize ?? 8;
  const out: GeneratedSample[] = [];
  try {
    for (let start = 0; start < samples.length; start += batchSize) {
      const rows = await generator.generate(prompts.slice(start, start + batchSize), config, {
        decode,
      });
      rows.forEach((row, i) => {
        out.push({
          ...samples[start + i],
          prediction: row.text ?? decode(row.tokens),
          finishReason: row.finishReason,
        });
      });
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
