import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFolderAtomically } from '@tunekit/core';
import { writeCheckpointManifest } from './checkpoint-manifest.js';

/** transformers' checkpoint folder prefix: `output_dir/checkpoint-<step>`. */
export const CHECKPOINT_PREFIX = 'checkpoint-';

/** A checkpoint folder's name, `checkpoint-<step>`. */
export const CHECKPOINT_NAME = /^checkpoint-(\d+)$/;

export interface CheckpointEntry {
  readonly step: number;
  readonly dir: string;
}

/**
 * Writes checkpoint `step` atomically: `write` fills a hidden temporary folder in `outputDir`
 * (`.tmp-checkpoint-<step>-<random>`), the manifest of its files' sha256 is written last, and the
 * folder is renamed to `checkpoint-<step>` only once complete, so a crash leaves either the old
 * folder or the new one, never half of one. An existing folder of that step is replaced.
 */
export function writeCheckpointFolder(
  outputDir: string,
  step: number,
  write: (dir: string) => Promise<void>,
): Promise<string> {
  const final = join(outputDir, `${CHECKPOINT_PREFIX}${step}`);
  return writeFolderAtomically(final, async (tmp) => {
    await write(tmp);
    await writeCheckpointManifest(tmp);
    return final;
  });
}

/** The complete checkpoints in `outputDir`, oldest step first. */
export async function listCheckpoints(outputDir: string): Promise<CheckpointEntry[]> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return [];
  }
  const entries: CheckpointEntry[] = [];
  for (const name of names) {
    const match = CHECKPOINT_NAME.exec(name);
    if (match && (await isDir(join(outputDir, name))))
      entries.push({ step: Number(match[1]), dir: join(outputDir, name) });
  }
  return entries.sort((a, b) => a.step - b.step);
}

/** transformers' `_rotate_checkpoints`: deletes the oldest checkpoints beyond `limit`. */
export async function rotateCheckpoints(outputDir: string, limit: number | null): Promise<void> {
  if (limit === null) return;
  const entries = await listCheckpoints(outputDir);
  for (const entry of entries.slice(0, Math.max(0, entries.length - limit)))
    await rm(entry.dir, { recursive: true, force: true });
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
