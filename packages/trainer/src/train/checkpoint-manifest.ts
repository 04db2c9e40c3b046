import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, readOptionalJsonObject } from '@tunekit/core';
import { z } from 'zod';

/** Written last into every checkpoint: the sha256 of each other file it holds. */
export const CHECKPOINT_MANIFEST_FILE = 'checkpoint_manifest.json';

const manifestSchema = z.object({ sha256: z.record(z.string(), z.string()) });

/** Records the sha256 of every file in checkpoint folder `dir` (subfolders included). */
export async function writeCheckpointManifest(dir: string): Promise<void> {
  const sha256: Record<string, string> = {};
  for (const name of await filesIn(dir)) sha256[name] = await fileSha256(join(dir, name));
  await atomicWrite(
    join(dir, CHECKPOINT_MANIFEST_FILE),
    `${JSON.stringify({ sha256 }, null, 2)}\n`,
  );
}

/** The result of checking a checkpoint against its manifest. */
export type CheckpointCheck =
  | { readonly ok: true; readonly verified: boolean }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks checkpoint `dir` against its manifest: every recorded file present with its sha256. A
 * checkpoint without a manifest (written before tunekit recorded them) passes unverified.
 */
export async function checkCheckpoint(dir: string): Promise<CheckpointCheck> {
  let raw: Record<string, unknown> | undefined;
  try {
    raw = await readOptionalJsonObject(join(dir, CHECKPOINT_MANIFEST_FILE));
  } catch {
    return { ok: false, problem: `${CHECKPOINT_MANIFEST_FILE} is not valid JSON` };
  }
  if (raw === undefined) return { ok: true, verified: false };
  const manifest = manifestSchema.safeParse(raw);
  if (!manifest.success) return { ok: false, problem: `${CHECKPOINT_MANIFEST_FILE} is malformed` };
  const present = new Set(await filesIn(dir));
  for (const [name, sha] of Object.entries(manifest.data.sha256)) {
    if (!present.has(name)) return { ok: false, problem: `${name} is missing` };
    if ((await fileSha256(join(dir, name))) !== sha)
      return { ok: false, problem: `${name} does not match its recorded sha256` };
  }
  return { ok: true, verified: true };
}

/** The files under `dir` by relative path (with '/'), the manifest left out. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    )
    .filter((name) => name !== CHECKPOINT_MANIFEST_FILE)
    .sort();
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
