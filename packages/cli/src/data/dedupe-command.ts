import {
  dedupe,
  readDataSet,
  TEXT_FIELDS,
  type TextField,
  writeDataFile,
} from '@tunekit/data-tools';
import { Command, Option } from 'commander';
import { numberIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags, dataContainer, readOptions } from './data-context.js';
import { dataOptions } from './data-options.js';
import { checkOutputs } from './outputs.js';

interface DedupeFlags extends DataFlags {
  readonly out: string;
  readonly on: TextField;
  readonly near?: number;
  readonly rougeL?: number;
  readonly shingleSize?: number;
  readonly dropped?: string;
}

/** `tunekit data dedupe`: the records without exact and near repeats, as written. */
export function dedupeCommand(streams: CliStreams): Command {
  const command: Command = dataOptions(
    new Command('dedupe')
      .description(
        "Drop repeated records, keeping the first: exact (after case and whitespace), near (MinHash LSH), and Self-Instruct's ROUGE-L filter.",
      )
      .argument('<files...>', 'data files (JSONL or JSON, globs allowed)')
      .requiredOption(
        '-o, --out <file>',
        'where the kept records go (JSONL, with a manifest beside it)',
      )
      .addOption(
        new Option('--on <text>', 'the text compared').choices(TEXT_FIELDS).default('conversation'),
      )
      .option(
        '--near <j>',
        'also drop near-duplicates at this Jaccard similarity of word shingles (e.g. 0.8)',
        numberIn(0, 1, true),
      )
      .option(
        '--rouge-l <f>',
        "drop a record whose instruction's ROUGE-L with a kept one is above this (Self-Instruct: 0.7)",
        numberIn(0, 1),
      )
      .option('--dropped <file>', 'also write the dropped records with why and what they repeat'),
  ).action(async (files: string[], flags: DedupeFlags) => {
    await checkOutputs({ '--out': flags.out, '--dropped': flags.dropped }, files, flags);
    const data = await readDataSet(files, readOptions(await dataContainer(flags), flags));
    const result = dedupe(data.records, {
      field: flags.on,
      near: flags.near === undefined ? undefined : { threshold: flags.near },
      rougeL: flags.rougeL,
    });
    const reasons = { exact: 0, near: 0, 'rouge-l': 0 };
    for (const d of result.dropped) reasons[d.reason]++;
    const common = {
      flag: '--out',
      overwrite: flags.overwrite,
      inputs: [data],
      format: data.format.id,
      command: commandLine(command),
    };
    await writeDataFile(
      flags.out,
      result.kept.map((r) => r.raw),
      { ...common, details: { dropped: reasons, invalid: data.invalid.length } },
    );
    if (flags.dropped !== undefined)
      await writeDataFile(
        flags.dropped,
        result.dropped.map((d) => ({
          record: d.record.raw,
          where: d.record.where,
          reason: d.reason,
          duplicate_of: d.duplicateOf,
          ...(d.similarity !== undefined ? { similarity: d.similarity } : {}),
        })),
        { ...common, flag: '--dropped', format: 'dropped' },
      );
    streams.stdout.write(
      `${flags.out}: kept ${result.kept.length} of ${data.records.length} records (dropped ${reasons.exact} exact, ${reasons.near} near, ${reasons['rouge-l']} by ROUGE-L; ${data.invalid.length} invalid left out)\n`,
    );
  });
  return command;
}
