import type { GenerationConfig } from '@tunekit/core';
import type { Command } from 'commander';
import { integerIn, numberIn } from '../option-parsers.js';
import { TEMPLATE_FLAG_HELP } from '../template-flag.js';

/** The flags of the data commands that generate with a model. */
export interface ModelFlags {
  readonly model: string;
  readonly adapter?: string;
  readonly template?: string;
  readonly backend?: string;
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly randomSeed: number;
  readonly batchSize: number;
}

/**
 * The model a data command generates with, and how it decodes (sampling at temperature 0.7 and
 * top_p 0.5 by default, Self-Instruct's settings for generating instructions).
 */
export function modelOptions(command: Command): Command {
  return command
    .requiredOption(
      '-m, --model <folder|hub-id>',
      'the model that generates (a bigger local one gives better data)',
    )
    .option('-a, --adapter <folder>', 'a PEFT adapter on the model')
    .option('--template <id|file>', TEMPLATE_FLAG_HELP)
    .option('--backend <id>', 'backend to run on (default: the best available one)')
    .option('--max-new-tokens <n>', 'most new tokens per generation', integerIn(1), 64)
    .option('--temperature <t>', 'sampling temperature (0: greedy)', numberIn(0), 0.7)
    .option('--top-p <p>', 'nucleus sampling', numberIn(0, 1, true), 0.5)
    .option(
      '--random-seed <n>',
      'seeds the sampling and the choice of in-context tasks',
      integerIn(0),
      42,
    )
    .option('--batch-size <n>', 'prompts generated together', integerIn(1), 8);
}

/** The decoding the flags ask for, as transformers' generation keys. */
export function generationOf(flags: ModelFlags): GenerationConfig {
  return {
    max_new_tokens: flags.maxNewTokens,
    do_sample: flags.temperature > 0,
    ...(flags.temperature > 0 ? { temperature: flags.temperature, top_p: flags.topP } : {}),
  };
}
