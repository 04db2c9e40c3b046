import { UserError } from '@tunekit/core';
import {
  CONVERT_TARGETS,
  type ConvertTarget,
  convertRecord,
  readDataSet,
  readDatasetInfo,
  writeDataFile,
} from '@tunekit/data-tools';
import { Command, Option } from 'commander';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags, dataContainer, readOptions } from './data-context.js';
import { dataOptions } from './data-options.js';
import { checkOutputs } from './outputs.js';

interface ConvertFlags extends DataFlags {
  readonly to: ConvertTarget;
  readonly out: string;
  readonly datasetInfo?: string;
  readonly dataset?: string;
}

/** `tunekit data convert`: records in another of the formats the trainer reads. */
export function convertCommand(streams: CliStreams): Command {
  const command: Command = dataOptions(
    new Command('convert')
      .description(
        "Write records in another format the trainer reads (messages, sharegpt, alpaca, prompt_completion, preference); reads LLaMA-Factory's dataset_info.json too.",
      )
      .argument('[files...]', 'data files (JSONL or JSON, globs allowed); none with --dataset-info')
      .addOption(
        new Option('--to <format>', 'the format to write')
          .choices(CONVERT_TARGETS)
          .makeOptionMandatory(),
      )
      .requiredOption('-o, --out <file>', 'where the records go (JSONL, with a manifest beside it)')
      .option(
        '--dataset-info <file>',
        'a LLaMA-Factory dataset_info.json: read the data set --dataset names, with its column mapping',
      )
      .option('--dataset <name>', 'the data set in --dataset-info'),
  ).action(async (files: string[], flags: ConvertFlags) => {
    if ((flags.datasetInfo === undefined) !== (flags.dataset === undefined))
      throw new UserError('--dataset-info and --dataset go together');
    if ((flags.datasetInfo === undefined) === (files.length === 0))
      throw new UserError('give data files, or --dataset-info with --dataset');
    const info =
      flags.datasetInfo === undefined
        ? undefined
        : await readDatasetInfo(flags.datasetInfo, flags.dataset ?? '');
    const paths = info ? [info.path] : files;
    await checkOutputs({ '--out': flags.out }, paths, flags);
    const data = await readDataSet(paths, {
      ...readOptions(await dataContainer(flags), flags),
      mapRecord: info?.mapRecord,
    });
    await writeDataFile(
      flags.out,
      data.records.map((r) => convertRecord(r, flags.to)),
      {
        flag: '--out',
        overwrite: flags.overwrite,
        inputs: [data],
        format: flags.to,
        command: commandLine(command),
        details: { from: data.format.id, invalid: data.invalid.length },
      },
    );
    streams.stdout.write(
      `${flags.out}: ${data.records.length} records, ${data.format.id} to ${flags.to}${data.invalid.length > 0 ? ` (${data.invalid.length} invalid left out; the first: ${data.invalid[0]})` : ''}\n`,
    );
  });
  return command;
}
