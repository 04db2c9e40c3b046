import type { GenerationConfig } from '@tunekit/core';
import { openModelGenerator, type TextGenerator } from '@tunekit/data-tools';
import type { Command } from 'commander';
import { type BackendOptionFlags, backendFlag, backendOptionFlag } from '../backend-option.js';
import { integerIn, numberIn } from '../option-parsers.js';
import { TEMPLATE_FLAG_HELP } from '../template-flag.js';
import { type DataFlags, dataContainer } from './data-context.js';

/** The flags of the data commands that generate with a model. */
export interface ModelFlags {
  readonly model: string;
  readonly adapter?: string;
  readonly template?: string;
  readonly backend?: string;
  readonly backendOption?: BackendOptionFlags;
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly randomSeed: number;
  readonly batchSize: number;
}

/** The flags of a command where the model is optional. */
export type OptionalModelFlags = Omit<ModelFlags, 'model'> & { readonly model?: string };

/**
 * The model a data command generates with, and how it decodes (sampling at temperature 0.7 and
 * top_p 0.5 by default, Self-Instruct's settings for generating instructions). With `withoutModel`
 * (what the command does without one), --model is optional.
 */
export function modelOptions(
  command: Command,
  opts: { readonly withoutModel?: string } = {},
): Command {
  const help = 'the model that generates (a bigger local one gives better data)';
  const withModel =
    opts.withoutModel === undefined
      ? command.requiredOption('-m, --model <folder|hub-id>', help)
      : command.option('-m, --model <folder|hub-id>', `${help}; without one, ${opts.withoutModel}`);
  return withModel
    .option('-a, --adapter <folder>', 'a PEFT adapter on the model')
    .option('--template <id|file>', TEMPLATE_FLAG_HELP)
    .addOption(backendFlag())
    .addOption(backendOptionFlag())
    .option('--max-new-tokens <n>', 'most new tokens per generation', integerIn(1), 64)
    .option('--temperature <t>', 'sampling temperature (0: greedy)', numberIn(0), 0.7)
    .option('--top-p <p>', 'nucleus sampling', numberIn(0, 1, true), 0.5)
    .option(
      '--random-seed <n>',
      'seeds the sampling and the random choices of the command',
      integerIn(0),
      42,
    )
    .option('--batch-size <n>', 'prompts generated together', integerIn(1), 8);
}

/** The decoding the flags ask for, as transformers' generation keys. */
export function generationOf(flags: Omit<ModelFlags, 'model'>): GenerationConfig {
  return {
    max_new_tokens: flags.maxNewTokens,
    do_sample: flags.temperature > 0,
    ...(flags.temperature > 0 ? { temperature: flags.temperature, top_p: flags.topP } : {}),
  };
}

/** The model the flags name, loaded with every first-party package and the --plugins. */
export async function openFlagsGenerator(
  flags: DataFlags & Omit<ModelFlags, 'model'>,
  model: string,
): Promise<TextGenerator> {
  return openModelGenerator({
    container: await dataContainer(flags, { models: true }),
    model,
    adapter: flags.adapter,
    template: flags.template,
    backend: flags.backend,
    backendOptions: flags.backendOption,
    generation: generationOf(flags),
    seed: flags.randomSeed,
    batchSize: flags.batchSize,
  });
}

/** Runs `use` with the flags' model when there is one (disposed after), else without one. */
export async function withOptionalGenerator<T>(
  flags: DataFlags & OptionalModelFlags,
  use: (generator: TextGenerator | undefined) => Promise<T>,
): Promise<T> {
  if (flags.model === undefined) return use(undefined);
  const generator = await openFlagsGenerator(flags, flags.model);
  try {
    return await use(generator);
  } finally {
    await generator.dispose();
  }
}
