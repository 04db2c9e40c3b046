import { readFile } from 'node:fs/promises';
import { UserError } from '@tunekit/core';
import { cohenKappa, krippendorffAlpha } from '@tunekit/data-tools';
import { Command } from 'commander';
import { collect } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';

interface AgreementFlags {
  readonly label: string[];
  readonly id: string;
  readonly json?: boolean;
}

/** `tunekit data agreement`: how far annotators agree, per label field. */
export function agreementCommand(streams: CliStreams): Command {
  return new Command('agreement')
    .description(
      "Annotator agreement per label: Cohen's kappa for two annotators, Krippendorff's alpha (nominal) for any number.",
    )
    .argument(
      '<files...>',
      'one JSONL file per annotator, a record per item with its id and labels',
    )
    .requiredOption('--label <field>', 'a label field to compare (repeatable)', collect)
    .option('--id <field>', 'the field that names the item', 'id')
    .option('--json', 'print the figures as JSON')
    .action(async (files: string[], flags: AgreementFlags) => {
      if (files.length < 2) throw new UserError("agreement needs two or more annotators' files");
      const annotators = await Promise.all(files.map((file) => readLabels(file, flags.id)));
      const ids = [...new Set(annotators.flatMap((a) => [...a.keys()]))];
      const results = flags.label.map((label) => {
        const ratings = annotators.map((a) => ids.map((id) => labelOf(a.get(id), label)));
        const disagreements = ids.filter(
          (_, i) => new Set(ratings.map((r) => r[i]).filter((v) => v !== undefined)).size > 1,
        );
        return {
          label,
          items: ids.length,
          ...(files.length === 2
            ? { cohen_kappa: cohenKappa(ratings[0] ?? [], ratings[1] ?? []) }
            : {}),
          krippendorff_alpha: krippendorffAlpha(ratings),
          disagreements: disagreements.length,
        };
      });
      const write = (line: string) => streams.stdout.write(`${line}\n`);
      if (flags.json) {
        write(JSON.stringify(results, null, 2));
        return;
      }
      for (const r of results)
        write(
          `${r.label}: ${r.items} items, ${r.cohen_kappa !== undefined ? `Cohen's kappa ${r.cohen_kappa.toFixed(3)}, ` : ''}Krippendorff's alpha ${r.krippendorff_alpha.toFixed(3)}, ${r.disagreements} disagreements`,
        );
    });
}

/** The records of an annotator's JSONL file by item id. */
async function readLabels(
  file: string,
  idField: string,
): Promise<Map<string, Record<string, unknown>>> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read (${error.code ?? error.message})`);
  });
  const byId = new Map<string, Record<string, unknown>>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new UserError(`${file}:${i + 1}: not a JSON object`);
    }
    const id = (record as Record<string, unknown> | null)?.[idField];
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new UserError(
        `${file}:${i + 1}: no '${idField}' naming the item (set --id to the field that does)`,
      );
    byId.set(String(id), record as Record<string, unknown>);
  });
  return byId;
}

function labelOf(record: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = record?.[field];
  return value === undefined || value === null
    ? undefined
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
}
