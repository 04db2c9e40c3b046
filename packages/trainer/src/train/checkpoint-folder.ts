import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** transformers' checkpoint folder prefix: `output_dir/checkpoint-<step>`. */
export const CHECKPOINT_PREFIX = 'checkpoint-';

export interface CheckpointEntry {
  readonly step: number;
  readonly dir: string;
}

/**
 * Writes checkpoint `step` atomically: `write` fills a hidden temporary folder in `outputDir`, which
 * is renamed to `checkpoint-<step>` only once complete, so a crash leaves either the old folder or
 * the new one, never half of one. An existing folder of that step is replaced.
 */
export async function writeCheckpointFolder(
  outputDir: string,
  step: number,
  write: (dir: string) => Promise<void>,
): Promise<string> {
  await mkdir(outputDir, { recursive: true });
  const final = join(outputDir, `${CHECKPOINT_PREFIX}${step}`);
  const tmp = join(outputDir, `.tmp-${CHECKPOINT_PREFIX}${step}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    await write(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  if (await isDir(final)) {
    const old = `${tmp}.old`;
    await rename(final, old);
    await rename(tmp, final);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, final);
  }
  return final;
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
    const match = /^checkpoint-(\d+)$/.exec(name);
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
