import { stat } from 'node:fs/promises';
import { type DataInput, describeDataInput, UserError } from '@tunekit/core';
import { readTrainingRecord, TRAINING_RECORD_FILE } from '@tunekit/trainer';

/** Where a trained adapter (or model) or a data file came from: the start of its lineage. */
export type Lineage =
  | {
      readonly kind: 'run';
      readonly path: string;
      readonly baseModel: string;
      readonly createdAt: string;
      readonly globalStep: number;
      /** The training and eval files, each with its manifest chain. */
      readonly inputs: readonly (DataInput & { readonly split?: string })[];
    }
  | { readonly kind: 'file'; readonly input: DataInput };

/**
 * The lineage of `path`: a folder `tunekit train` wrote (its training record's data files), or a
 * data file (its manifest, and its inputs' manifests in turn).
 */
export async function lineage(path: string): Promise<Lineage> {
  const info = await stat(path).catch(() => {
    throw new UserError(`${path}: no such file or folder`);
  });
  if (!info.isDirectory()) return { kind: 'file', input: await describeDataInput(path) };
  const record = await readTrainingRecord(path);
  if (record === undefined)
    throw new UserError(
      `${path}: no ${TRAINING_RECORD_FILE}; lineage reads what tunekit train writes`,
    );
  if (record.data.inputs === undefined)
    throw new UserError(
      `${path}: its ${TRAINING_RECORD_FILE} predates data lineage (no data.inputs); train again to record it`,
    );
  return {
    kind: 'run',
    path,
    baseModel: record.base_model,
    createdAt: record.created_at,
    globalStep: record.global_step,
    inputs: record.data.inputs,
  };
}

/** The lineage as indented lines: each file, what made it, and below it what that read. */
export function lineageText(root: Lineage): string[] {
  if (root.kind === 'file') return inputLines(root.input, '');
  return [
    `${root.path}: trained on ${root.baseModel}, ${root.globalStep} steps, ${root.createdAt}`,
    ...root.inputs.flatMap((input) => inputLines(input, '  ', input.split)),
  ];
}

function inputLines(input: DataInput, indent: string, split?: string): string[] {
  const head = `${indent}${split ? `${split}: ` : ''}${input.path} (sha256 ${input.sha256.slice(0, 12)})`;
  const { manifest } = input;
  if (input.manifest_outdated)
    return [
      head,
      `${indent}  its manifest describes other bytes: the file changed after it was written`,
    ];
  if (manifest === undefined) return [head, `${indent}  no manifest: a source`];
  const details = Object.entries(manifest.details)
    .map(
      ([key, value]) =>
        `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join(', ');
  return [
    head,
    `${indent}  ${manifest.records} records (${manifest.format}), made ${manifest.created_at} by: ${manifest.command}`,
    ...(details ? [`${indent}  ${details}`] : []),
    ...manifest.inputs.flatMap((parent) => inputLines(parent, `${indent}    `)),
  ];
}
