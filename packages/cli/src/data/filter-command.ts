import { UserError } from '@tunekit/core';
import {
  DEFAULT_REFUSAL_PATTERNS,
  filterRecords,
  patternOf,
  readDataSet,
  tokenLength,
  writeDataFile,
} from '@tunekit/data-tools';
import { Command } from 'commander';
import { collect, integerIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import {
  commandLine,
  type DataFlags,
  dataContainer,
  readOptions,
  tokenCounting,
} from './data-context.js';
import { dataOptions } from './data-options.js';
import { checkOutputs } from './outputs.js';

interface FilterFlags extends DataFlags {
  readonly out: string;
  readonly minWords?: number;
  readonly maxWords?: number;
  readonly maxTokens?: number;
  readonly model?: string;
  readonly template?: string;
  readonly dropPattern?: string[];
  readonly keepPattern?: string[];
  readonly dropRefusals?: boolean;
}

/** `tunekit data filter`: the records that pass length, pattern and refusal rules, as written. */
export function filterCommand(streams: CliStreams): Command {
  const command: Command = dataOptions(
    new Command('filter')
      .description(
        'Keep the records that pass every rule given: answer length, token length, patterns, refusals.',
      )
      .argument('<files...>', 'data files (JSONL or JSON, globs allowed)')
      .requiredOption(
        '-o, --out <file>',
        'where the kept records go (JSONL, with a manifest beside it)',
      )
      .option('--min-words <n>', 'drop answers shorter than this many words', integerIn(0))
      .option('--max-words <n>', 'drop answers longer than this many words', integerIn(1))
      .option(
        '--max-tokens <n>',
        'drop records longer than this many tokens as rendered (needs --model)',
        integerIn(1),
      )
      .option('-m, --model <folder|hub-id>', 'the model whose tokenizer and template count tokens')
      .option(
        '--template <id|file>',
        "the template records are rendered with (default: the model's own, else chatml)",
      )
      .option('--drop-pattern <regex>', 'drop records whose text matches (repeatable)', collect)
      .option(
        '--keep-pattern <regex>',
        'keep only records whose text matches one of these (repeatable)',
        collect,
      )
      .option('--drop-refusals', 'drop records whose answer refuses (common English refusals)'),
  ).action(async (files: string[], flags: FilterFlags) => {
    if (flags.maxTokens !== undefined && flags.model === undefined)
      throw new UserError('--max-tokens counts tokens: give --model too');
    await checkOutputs({ '--out': flags.out }, files, flags);
    const container = await dataContainer(flags);
    const data = await readDataSet(files, readOptions(container, flags));
    const counting =
      flags.model === undefined
        ? undefined
        : await tokenCounting(container, flags.model, flags.template);
    const result = filterRecords(data.records, {
      minWords: flags.minWords,
      maxWords: flags.maxWords,
      maxTokens: flags.maxTokens,
      tokenLength: counting && ((record) => tokenLength(record, counting)),
      drop: flags.dropPattern?.map((p) => patternOf(p, '--drop-pattern')),
      keep: flags.keepPattern?.map((p) => patternOf(p, '--keep-pattern')),
      dropRefusals: flags.dropRefusals ? DEFAULT_REFUSAL_PATTERNS : undefined,
    });
    await writeDataFile(
      flags.out,
      result.kept.map((r) => r.raw),
      {
        flag: '--out',
        overwrite: flags.overwrite,
        inputs: [data],
        format: data.format.id,
        command: commandLine(command),
        details: { dropped: result.dropped, invalid: data.invalid.length },
      },
    );
    const why = Object.entries(result.dropped).map(([rule, n]) => `${n} ${rule}`);
    streams.stdout.write(
      `${flags.out}: kept ${result.kept.length} of ${data.records.length} records${why.length > 0 ? ` (dropped ${why.join(', ')})` : ''}\n`,
    );
  });
  return command;
}
