import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { atomicWrite, UserError } from '@tunekit/core';
import type { DataSet } from '../records/index.js';
import { type DataManifest, manifestPath, readManifest } from './manifest.js';

export interface WriteDataFileOptions {
  /** The flag that named the file, for errors (`--out`). */
  readonly flag: string;
  /** Replace an existing file (`--overwrite`). */
  readonly overwrite?: boolean;
  /** The data sets read: the output may not be one of their files, and the manifest lists them. */
  readonly inputs: readonly DataSet[];
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
  await checkDataOutput(path, { ...opts, inputPaths: opts.inputs.flatMap((d) => d.paths) });
  const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
  const inputs = await Promise.all(
    opts.inputs.flatMap((data) =>
      data.paths.map(async (input, i) => {
        const manifest = await readManifest(input);
        return { path: input, sha256: data.sha256[i] ?? '', ...(manifest ? { manifest } : {}) };
      }),
    ),
  );
  const manifest: DataManifest = {
    tunekit_data_manifest: 1,
    file: basename(path),
    sha256: createHash('sha256').update(text).digest('hex'),
    records: records.length,
    format: opts.format,
    created_at: new Date().toISOString(),
    command: opts.command,
    inputs,
    details: opts.details ?? {},
  };
  await mkdir(dirname(resolve(path)), { recursive: true });
  await atomicWrite(path, text);
  await atomicWrite(manifestPath(path), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
