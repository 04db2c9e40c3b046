import {
  annotatorAgreement,
  type LabelAgreement,
  readAnnotations,
  writeDataFile,
} from '@tunekit/data-tools';
import { Command } from 'commander';
import { collect } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine } from './data-context.js';
import { checkOutputs } from './outputs.js';

interface AgreementFlags {
  readonly label?: string[];
  readonly id: string;
  readonly json?: boolean;
  readonly queue?: string;
  readonly overwrite?: boolean;
}

/** The label fields of `tunekit review`'s files, compared when --label names none. */
const REVIEW_LABELS = ['verdict', 'label'];

/** `tunekit data agreement`: how far annotators agree, per label field, and where they differ. */
export function agreementCommand(streams: CliStreams): Command {
  const command: Command = new Command('agreement')
    .description(
      "Annotator agreement per label: Cohen's kappa for two annotators, Krippendorff's alpha (nominal) for any number; --queue writes the disagreements to arbitrate.",
    )
    .argument(
      '<files...>',
      'one JSONL file per annotator (review files of tunekit review), a record per item with its id and labels',
    )
    .option(
      '--label <field>',
      `a label field to compare (repeatable; default: ${REVIEW_LABELS.join(', ')}, as tunekit review writes)`,
      collect,
    )
    .option('--id <field>', 'the field that names the item', 'id')
    .option('--json', 'print the figures as JSON')
    .option('--queue <file>', 'write the arbitration queue: each item the annotators disagree on')
    .option('--overwrite', 'replace the --queue file if it exists')
    .action(async (files: string[], flags: AgreementFlags) => {
      await checkOutputs({ '--queue': flags.queue }, files, flags);
      const annotators = await Promise.all(files.map((file) => readAnnotations(file, flags.id)));
      const results = annotatorAgreement(annotators, flags.label ?? REVIEW_LABELS);
      const write = (line: string) => streams.stdout.write(`${line}\n`);
      if (flags.json)
        write(
          JSON.stringify(
            results.map((r) => ({ ...r, disagreements: r.disagreements.length })),
            null,
            2,
          ),
        );
      else for (const r of results) write(agreementLine(r));
      if (flags.queue === undefined) return;
      const queue = arbitrationQueue(results, annotators, files);
      await writeDataFile(flags.queue, queue, {
        flag: '--queue',
        overwrite: flags.overwrite,
        inputs: files,
        format: 'agreement_queue',
        command: commandLine(command),
        details: Object.fromEntries(results.map((r) => [r.label, r.disagreements.length])),
      });
      streams.stderr.write(`wrote ${flags.queue} (${queue.length} items to arbitrate)\n`);
    });
  return command;
}

function agreementLine(r: LabelAgreement): string {
  if (r.items === 0) return `${r.label}: no annotator gave it`;
  const kappa = r.cohen_kappa !== undefined ? `Cohen's kappa ${r.cohen_kappa.toFixed(3)}, ` : '';
  return `${r.label}: ${r.items} items, ${kappa}Krippendorff's alpha ${r.krippendorff_alpha.toFixed(3)}, ${r.disagreements.length} disagreements`;
}

/** Each item some label differs on: which labels, and every annotator's record of it. */
function arbitrationQueue(
  results: readonly LabelAgreement[],
  annotators: readonly ReadonlyMap<string, unknown>[],
  files: readonly string[],
) {
  const ids = [...new Set(results.flatMap((r) => r.disagreements))];
  return ids.map((id) => ({
    id,
    disagree_on: results.filter((r) => r.disagreements.includes(id)).map((r) => r.label),
    annotations: annotators.flatMap((a, i) =>
      a.has(id) ? [{ file: files[i], record: a.get(id) }] : [],
    ),
  }));
}
