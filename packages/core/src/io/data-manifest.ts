import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { atomicWrite } from './atomic-write.js';
import { readOptionalJsonObject } from './hf-files.js';

/**
 * What a data file came from, kept beside it as `<file>.manifest.json`: its content hash and
 * record count, the command that wrote it, and each input with its hash and (when it has one) its
 * own manifest, so a chain of data steps leads back to the sources. `tunekit data` writes one for
 * every file it makes; training records the manifests of its data.
 */
export interface DataManifest {
  readonly tunekit_data_manifest: 1;
  readonly file: string;
  readonly sha256: string;
  readonly records: number;
  /** The records' dataset format (the trainer's format id). */
  readonly format: string;
  readonly created_at: string;
  /** The command as run, e.g. `tunekit data dedupe raw.jsonl --out clean.jsonl --near 0.8`. */
  readonly command: string;
  readonly inputs: readonly DataInput[];
  /** What the command counted (records dropped and why, split sizes, a generator's seed...). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** A data file as something made from it records it: where, its hash, and its manifest if any. */
export interface DataInput {
  readonly path: string;
  readonly sha256: string;
  /** The file's manifest, when it has one that describes these bytes. */
  readonly manifest?: DataManifest;
  /** True when a manifest lies beside the file but describes other bytes (the file was edited). */
  readonly manifest_outdated?: true;
}

/** Where the manifest of data file `path` lives. */
export function dataManifestPath(path: string): string {
  return `${path}.manifest.json`;
}

/** The manifest beside `path`, or undefined for a file no data step described. */
export async function readDataManifest(path: string): Promise<DataManifest | undefined> {
  const manifest = await readOptionalJsonObject(dataManifestPath(path));
  return manifest?.tunekit_data_manifest === 1 ? (manifest as unknown as DataManifest) : undefined;
}

/** `path` as an input: its hash (computed when not given) and its manifest when that matches. */
export async function describeDataInput(path: string, sha256?: string): Promise<DataInput> {
  const hash =
    sha256 ??
    createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  const manifest = await readDataManifest(path);
  if (manifest === undefined) return { path, sha256: hash };
  return manifest.sha256 === hash
    ? { path, sha256: hash, manifest }
    : { path, sha256: hash, manifest_outdated: true };
}

/** The fields of a manifest its writer gives; the file's name, hash and the time are filled in. */
export type DataManifestFields = Pick<DataManifest, 'records' | 'format' | 'command' | 'inputs'> & {
  readonly details?: DataManifest['details'];
};

/** Writes the manifest of the data file `path` (already written) beside it, atomically. */
export async function writeDataManifest(
  path: string,
  fields: DataManifestFields,
): Promise<DataManifest> {
  const manifest: DataManifest = {
    tunekit_data_manifest: 1,
    file: basename(path),
    sha256: createHash('sha256')
      .update(await readFile(path))
      .digest('hex'),
    records: fields.records,
    format: fields.format,
    created_at: new Date().toISOString(),
    command: fields.command,
    inputs: fields.inputs,
    details: fields.details ?? {},
  };
  await atomicWrite(dataManifestPath(path), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
