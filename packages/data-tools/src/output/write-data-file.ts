import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  atomicWrite,
  type DataManifest,
  describeDataInput,
  UserError,
  writeDataManifest,
} from '@tunekit/core';
import type { DataSet } from '../records/index.js';

export interface WriteDataFileOptions {
  /** The flag that named the file, for errors (`--out`). */
  readonly flag: string;
  /** Replace an existing file (`--overwrite`). */
  readonly overwrite?: boolean;
  /**
   * What was read: data sets, or paths of other files (seed tasks, a policy); the output may not be
   * one of them, and the manifest lists each with its hash and manifest.
   */
  readonly inputs: readonly (DataSet | string)[];
  /** The format of the records written (the trainer's format id). */
  readonly format: string;
  readonly command: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Checks that `path` may be written: not an input file, and not an existing file unless
 * `overwrite`. Commands call it for every output before they read or compute anything.
 */
export async function checkDataOutput(
  path: string,
  opts: Pick<WriteDataFileOptions, 'flag' | 'overwrite'> & {
    readonly inputPaths: readonly string[];
  },
): Promise<void> {
  const target = resolve(path);
  if (opts.inputPaths.some((input) => resolve(input) === target))
    throw new UserError(
      `${opts.flag}: ${path} is an input file; write to another file, so the source stays as it is`,
    );
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory())
    throw new UserError(`${opts.flag}: ${path} is a folder; name a file`);
  if (existing && !opts.overwrite)
    throw new UserError(`${opts.flag}: ${path} already exists; pass --overwrite to replace it`);
}

/** Writes `records` as JSON Lines to `path` (atomically), with its manifest beside it. */
export async function writeDataFile(
  path: string,
  records: readonly unknown[],
  opts: WriteDataFileOptions,
): Promise<DataManifest> {
  const inputPaths = opts.inputs.flatMap((input) =>
    typeof input === 'string' ? [input] : input.paths,
  );
  await checkDataOutput(path, { ...opts, inputPaths });
  const inputs = await Promise.all(
    opts.inputs.flatMap((input) =>
      typeof input === 'string'
        ? [describeDataInput(input)]
        : input.paths.map((file, i) => describeDataInput(file, input.sha256[i])),
    ),
  );
  await mkdir(dirname(resolve(path)), { recursive: true });
  await atomicWrite(path, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  return writeDataManifest(path, {
    records: records.length,
    format: opts.format,
    command: opts.command,
    inputs,
    details: opts.details,
  });
}
