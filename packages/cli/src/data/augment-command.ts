import { join } from 'node:path';
import { UserError } from '@tunekit/core';
import {
  AUGMENT_METHODS,
  type AugmentMethod,
  absoluteWhere,
  augmentRecords,
  type DataRecord,
  type Difficulty,
  failureDifficulty,
  hardExamples,
  lengthDifficulty,
  readDataSet,
  writeDataFile,
} from '@tunekit/data-tools';
import { EVAL_RESULTS_FILE, EVAL_SAMPLES_FILE, readEvalRun } from '@tunekit/trainer';
import { Command, Option } from 'commander';
import type { DependencyContainer } from 'tsyringe';
import { collect, integerIn, listOf, numberIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags, dataContainer, readOptions } from './data-context.js';
import { dataOptions } from './data-options.js';
import { type FailureFlags, failureCriterion, failureOptions } from './failure-options.js';
import { modelOptions, type OptionalModelFlags, withOptionalGenerator } from './model-options.js';
import { checkOutputs } from './outputs.js';
import {
  type VariantFilterFlags,
  variantFilterOptions,
  variantFilters,
} from './variant-filter-options.js';

interface AugmentFlags extends DataFlags, OptionalModelFlags, FailureFlags, VariantFilterFlags {
  readonly out: string;
  readonly method?: AugmentMethod[];
  readonly perRecord: number;
  readonly swap?: string[];
  readonly balance?: 'length' | 'failures';
  readonly evalRun?: string;
  readonly hardFraction?: number;
  readonly sources: boolean;
}

/** `tunekit data augment`: paraphrases and counterfactual edits of instruction data. */
export function augmentCommand(streams: CliStreams): Command {
  const command: Command = modelOptions(
    variantFilterOptions(
      failureOptions(
        dataOptions(
          new Command('augment')
            .description(
              'New records by rewording instructions: paraphrases (the answer kept) and counterfactual edits (a detail changed, a new answer) by a model, or rule-based word and number swaps; filtered against the source, hard/easy balance kept; each record names its source and operation.',
            )
            .argument('<files...>', 'data files (JSONL or JSON, globs allowed)')
            .requiredOption(
              '-o, --out <file>',
              'where the records go (messages JSONL with source_id and operation, a manifest beside it)',
            )
            .option(
              '--method <list>',
              `comma-separated, of ${AUGMENT_METHODS.join(', ')} (default: all with --model, rules without)`,
              listOf(AUGMENT_METHODS),
            )
            .option(
              '--per-record <n>',
              'variants asked of the model per record and method',
              integerIn(1),
              1,
            )
            .option(
              '--swap <a=b>',
              'a word pair for word_swap, besides the built-in ones (repeatable)',
              collect,
            )
            .addOption(
              new Option(
                '--balance <signal>',
                "keep the variants' share of hard records: by answer length (longer than the median), or failures in --eval-run",
              ).choices(['length', 'failures']),
            )
            .option(
              '--eval-run <folder>',
              'an eval run (tunekit eval --out) of these records, for --balance failures',
            )
            .option(
              '--hard-fraction <f>',
              "the variants' share of hard records (default: the sources' share)",
              numberIn(0, 1),
            )
            .option('--no-sources', 'write only the new records, not the sources'),
        ),
      ),
    ),
    { withoutModel: 'only the rule-based edits' },
  ).action(async (files: string[], flags: AugmentFlags) => {
    const methods = flags.method ?? (flags.model === undefined ? ['rules'] : AUGMENT_METHODS);
    if ((flags.balance === 'failures') !== (flags.evalRun !== undefined))
      throw new UserError(
        '--balance failures and --eval-run go together: the eval run names the records a model failed, which are the hard ones',
      );
    const swaps = flags.swap?.map(swapPair);
    const evalInputs =
      flags.evalRun === undefined
        ? []
        : [EVAL_RESULTS_FILE, EVAL_SAMPLES_FILE].map((f) => join(flags.evalRun ?? '', f));
    await checkOutputs({ '--out': flags.out }, [...files, ...evalInputs], flags);
    const container = await dataContainer(flags);
    const data = await readDataSet(files, readOptions(container, flags));
    const difficulty = await difficultyOf(flags, data.records, container);
    const result = await withOptionalGenerator(flags, (generator) =>
      augmentRecords(data.records, {
        methods,
        generator,
        perRecord: flags.perRecord,
        filters: variantFilters(flags),
        swaps,
        balance: difficulty && { difficulty, hardFraction: flags.hardFraction },
        includeSources: flags.sources,
        seed: flags.randomSeed,
      }),
    );
    await writeDataFile(flags.out, result.records, {
      flag: '--out',
      overwrite: flags.overwrite,
      inputs: [data, ...evalInputs],
      format: 'messages',
      command: commandLine(command),
      details: {
        ...(flags.model ? { model: flags.model } : {}),
        methods,
        produced: result.produced,
        dropped: result.dropped,
      },
    });
    const made = result.records.filter((r) => r.operation !== 'source').length;
    const why = Object.entries(result.dropped).map(([reason, n]) => `${n} ${reason}`);
    streams.stdout.write(
      `${flags.out}: ${made} new records from ${data.records.length} (${result.produced} made${why.length > 0 ? `, dropped ${why.join(', ')}` : ''})\n`,
    );
  });
  return command;
}

async function difficultyOf(
  flags: AugmentFlags,
  records: readonly DataRecord[],
  container: DependencyContainer,
): Promise<Difficulty | undefined> {
  if (flags.balance === 'length') return lengthDifficulty(records);
  if (flags.balance !== 'failures' || flags.evalRun === undefined) return undefined;
  const run = await readEvalRun(flags.evalRun);
  const hard = await hardExamples(run, failureCriterion(flags), readOptions(container, flags));
  const failed = new Set(hard.records.map((r) => absoluteWhere(r.where, run.results.base_dir)));
  return failureDifficulty(failed, process.cwd());
}

function swapPair(text: string): [string, string] {
  const [a, b, ...rest] = text.split('=');
  if (!a || !b || rest.length > 0) throw new UserError(`--swap ${text}: expected two words, a=b`);
  return [a, b];
}
