import { UserError } from '@tunekit/core';
import { readDataSet, splitRecords, writeDataFile } from '@tunekit/data-tools';
import { Command } from 'commander';
import { integerIn, numberIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags, dataContainer, readOptions } from './data-context.js';
import { dataOptions } from './data-options.js';
import { checkOutputs } from './outputs.js';

interface SplitFlags extends DataFlags {
  readonly train: string;
  readonly eval: string;
  readonly evalRatio?: number;
  readonly evalSize?: number;
  readonly stratify?: string;
  readonly seed: number;
}

/** `tunekit data split`: train and eval files, stratified by a field if asked. */
export function splitCommand(streams: CliStreams): Command {
  const command: Command = dataOptions(
    new Command('split')
      .description(
        'Split records into train and eval files at random (seeded), stratified by a field if asked.',
      )
      .argument('<files...>', 'data files (JSONL or JSON, globs allowed)')
      .requiredOption('--train <file>', 'where the training records go')
      .requiredOption('--eval <file>', 'where the eval records go')
      .option('--eval-ratio <r>', 'the share of records for eval', numberIn(0, 1, true))
      .option('--eval-size <n>', 'the number of records for eval', integerIn(1))
      .option('--stratify <field>', "keep this field's proportions (task, label...) in both files")
      .option('--seed <n>', 'the shuffle seed', integerIn(0), 42),
  ).action(async (files: string[], flags: SplitFlags) => {
    if ((flags.evalRatio === undefined) === (flags.evalSize === undefined))
      throw new UserError('give one of --eval-ratio and --eval-size');
    await checkOutputs({ '--train': flags.train, '--eval': flags.eval }, files, flags);
    const data = await readDataSet(files, readOptions(await dataContainer(flags), flags));
    const split = splitRecords(data.records, flags);
    const common = {
      overwrite: flags.overwrite,
      inputs: [data],
      format: data.format.id,
      command: commandLine(command),
    };
    const details = { strata: split.strata, seed: flags.seed, invalid: data.invalid.length };
    await writeDataFile(
      flags.train,
      split.train.map((r) => r.raw),
      { ...common, flag: '--train', details: { part: 'train', ...details } },
    );
    await writeDataFile(
      flags.eval,
      split.eval.map((r) => r.raw),
      { ...common, flag: '--eval', details: { part: 'eval', ...details } },
    );
    streams.stdout.write(
      `${flags.train}: ${split.train.length} records; ${flags.eval}: ${split.eval.length} records\n`,
    );
    if (flags.stratify !== undefined)
      for (const [stratum, n] of Object.entries(split.strata))
        streams.stdout.write(`  ${flags.stratify}=${stratum}: ${n.train} train, ${n.eval} eval\n`);
  });
  return command;
}
