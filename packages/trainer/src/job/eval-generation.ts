import type { GenerationConfig } from '@tunekit/core';
import type { GeneratedSample, GenerationEvalOptions } from '../eval/index.js';
import type { GenerationSettings } from './train-config.js';

/**
 * The Evaluator's generation options from a config's `generation:` settings, over the model
 * folder's generation_config.json (its eos ids). `tunekit train` and `tunekit eval` both build them
 * here, so an adapter scores the same in both.
 */
export function evalGeneration(
  settings: GenerationSettings,
  batchSize: number,
  folderConfig: GenerationConfig,
): GenerationEvalOptions | false {
  if (settings.num_samples === 0) return false;
  return {
    numSamples: settings.num_samples,
    batchSize,
    generationConfig: {
      ...folderConfig,
      max_new_tokens: settings.max_new_tokens,
      stop_strings: settings.stop_strings,
    },
  };
}

/**
 * One line saying for how many answers max_new_tokens was cut to what the model's positions left
 * beside the prompt (see the trainer's fitPrompt), or undefined when it was cut for none.
 */
export function describeCutAnswers(
  samples: readonly GeneratedSample[],
  maxNewTokens: number,
  positions: number,
): string | undefined {
  const cut = samples.map((s) => s.maxNewTokens).filter((n) => n < maxNewTokens);
  if (cut.length === 0) return undefined;
  const [least, most] = [Math.min(...cut), Math.max(...cut)];
  const range = least === most ? `${least}` : `${least}-${most}`;
  return `note: max_new_tokens ${maxNewTokens} does not fit beside ${cut.length} of ${samples.length} prompts in the model's ${positions} positions; their answers were cut to ${range} tokens`;
}

/**
 * `evaluate`, writing describeCutAnswers' note after the first evaluation that cut answers and
 * never again: `tunekit train` answers the same prompts before, during and after training.
 */
export function noteCutAnswersOnce<R extends { readonly samples: readonly GeneratedSample[] }>(
  evaluate: () => Promise<R>,
  limits: { readonly maxNewTokens: number; readonly positions: number },
  write: (line: string) => void,
): () => Promise<R> {
  let noted = false;
  return async () => {
    const result = await evaluate();
    const note = noted
      ? undefined
      : describeCutAnswers(result.samples, limits.maxNewTokens, limits.positions);
    if (note !== undefined) {
      noted = true;
      write(note);
    }
    return result;
  };
}
