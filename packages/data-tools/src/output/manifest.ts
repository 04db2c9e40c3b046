import { readOptionalJsonObject } from '@tunekit/core';

/** Where the manifest of data file `path` lives: beside it, `<file>.manifest.json`. */
export function manifestPath(path: string): string {
  return `${path}.manifest.json`;
}

/**
 * What a data file came from, written beside every file a `tunekit data` command writes: its
 * content hash and record count, the command, and each input with its hash and (when it has one)
 * its own manifest, so the chain leads back to the sources.
 */
export interface DataManifest {
  readonly tunekit_data_manifest: 1;
  readonly file: string;
  readonly sha256: string;
  readonly records: number;
  readonly format: string;
  readonly created_at: string;
  /** The command as run, e.g. `tunekit data dedupe raw.jsonl --out clean.jsonl --near 0.8`. */
  readonly command: string;
  readonly inputs: readonly DataInput[];
  /** What the command counted (records dropped and why, split sizes...). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface DataInput {
  readonly path: string;
  readonly sha256: string;
  readonly manifest?: DataManifest;
}

/** The manifest beside `path`, or undefined for a file no data command wrote. */
export async function readManifest(path: string): Promise<DataManifest | undefined> {
  const manifest = await readOptionalJsonObject(manifestPath(path));
  return manifest?.tunekit_data_manifest === 1 ? (manifest as unknown as DataManifest) : undefined;
}
