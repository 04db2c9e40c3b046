import { DEFAULT_VARIANT_FILTERS, type VariantFilters } from '@tunekit/data-tools';
import type { Command } from 'commander';
import { integerIn, numberIn } from '../option-parsers.js';

/** The flags of the filters a model-made variant passes against its source. */
export interface VariantFilterFlags {
  readonly minRougeL: number;
  readonly maxRougeL: number;
  readonly minWords: number;
  readonly maxWords: number;
}

export function variantFilterOptions(command: Command): Command {
  const d = DEFAULT_VARIANT_FILTERS;
  return command
    .option(
      '--max-rouge-l <f>',
      "drop a model's instruction whose ROUGE-L with its source is above this (barely changed)",
      numberIn(0, 1),
      d.maxRougeL,
    )
    .option(
      '--min-rouge-l <f>',
      "drop a model's instruction whose ROUGE-L with its source is below this (drifted off)",
      numberIn(0, 1),
      d.minRougeL,
    )
    .option('--min-words <n>', 'drop new instructions shorter than this', integerIn(0), d.minWords)
    .option('--max-words <n>', 'drop new instructions longer than this', integerIn(1), d.maxWords);
}

export function variantFilters(flags: VariantFilterFlags): VariantFilters {
  return {
    minRougeL: flags.minRougeL,
    maxRougeL: flags.maxRougeL,
    minWords: flags.minWords,
    maxWords: flags.maxWords,
  };
}
