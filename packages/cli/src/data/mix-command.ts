import { UserError } from '@tunekit/core';
import {
  CONVERT_TARGETS,
  type ConvertTarget,
  convertRecord,
  mixRecords,
  readDataSet,
  writeDataFile,
} from '@tunekit/data-tools';
import { Command, InvalidArgumentError, Option } from 'commander';
import { integerIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags, dataContainer, readOptions } from './data-context.js';
import { dataOptions } from './data-options.js';
import { checkOutputs } from './outputs.js';

interface MixFlags extends DataFlags {
  readonly out: string;
  readonly weights?: number[];
  readonly size?: number;
  readonly to?: ConvertTarget;
  readonly seed: number;
}

/** `tunekit data mix`: one file drawn from several by weight. */
export function mixCommand(streams: CliStreams): Command {
  const command: Command = dataOptions(
    new Command('mix')
      .description(
        'Draw one data file from several, each in proportion to its weight (upsampling a small one).',
      )
      .argument('<files...>', 'one data file per source')
      .requiredOption('-o, --out <file>', 'where the mix goes (JSONL, with a manifest beside it)')
      .option('--weights <w,...>', 'one weight per file (default: equal)', weights)
      .option('--size <n>', 'records in the mix (default: all the sources hold)', integerIn(1))
      .addOption(
        new Option(
          '--to <format>',
          'write every record in this format (needed when the sources differ)',
        ).choices(CONVERT_TARGETS),
      )
      .option('--seed <n>', 'the draw seed', integerIn(0), 42),
  ).action(async (files: string[], flags: MixFlags) => {
    const weightList = flags.weights ?? files.map(() => 1);
    if (weightList.length !== files.length)
      throw new UserError(
        `--weights: ${weightList.length} weights for ${files.length} files; give one per file`,
      );
    await checkOutputs({ '--out': flags.out }, files, flags);
    const container = await dataContainer(flags);
    const sources = await Promise.all(
      files.map((file) => readDataSet(file, readOptions(container, flags))),
    );
    const formats = [...new Set(sources.map((s) => s.format.id))];
    if (flags.to === undefined && formats.length > 1)
      throw new UserError(
        `the sources are in ${formats.join(' and ')}; pass --to <format> to write them in one`,
      );
    const size = flags.size ?? sources.reduce((n, s) => n + s.records.length, 0);
    const { records, counts } = mixRecords(
      sources.map((s, i) => ({ records: s.records, weight: weightList[i] ?? 1 })),
      size,
      flags.seed,
    );
    const to = flags.to;
    await writeDataFile(
      flags.out,
      records.map((r) => (to ? convertRecord(r, to) : r.raw)),
      {
        flag: '--out',
        overwrite: flags.overwrite,
        inputs: sources,
        format: to ?? (formats[0] as string),
        command: commandLine(command),
        details: {
          drawn: Object.fromEntries(files.map((f, i) => [f, counts[i]])),
          seed: flags.seed,
        },
      },
    );
    streams.stdout.write(
      `${flags.out}: ${records.length} records (${files.map((f, i) => `${counts[i]} from ${f}`).join(', ')})\n`,
    );
  });
  return command;
}

function weights(value: string): number[] {
  const list = value.split(',').map(Number);
  if (list.some((w) => !Number.isFinite(w) || w < 0))
    throw new InvalidArgumentError('Expected numbers >= 0, comma-separated.');
  return list;
}
