import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputPath, TMP_FOLDER_PREFIX, UserError } from '@tunekit/core';
import { METRICS_FILE } from './callbacks/jsonl-metrics.js';
import { REPORT_FILE } from './callbacks/report.js';
import { CHECKPOINT_NAME, CHECKPOINT_PREFIX } from './checkpoint-folder.js';
import { lockOutputDir } from './output-dir-lock.js';
import type { TrainingArguments } from './training-arguments.js';

/** An output_dir checked, locked and cleared for one run. */
export interface OutputDirClaim {
  /** The folder, absolute, symlinks resolved. */
  readonly dir: string;
  release(): Promise<void>;
}

export interface ClaimOptions {
  /** What the caller saves at the top of output_dir (adapter, model, record files): an earlier run's too. */
  readonly outputs?: readonly string[];
  readonly warn: (message: string) => void;
}

/**
 * Takes output_dir for one training run, before anything is loaded: checks the path, creates and
 * locks the folder, removes the temporary checkpoint folders a killed run left, and refuses a folder
 * holding an earlier run (checkpoints, metrics.jsonl, report.html, the caller's `outputs`) unless
 * the run resumes or sets overwrite_output_dir, which removes them first so they never mix with
 * this run's. The caller releases the claim when the run ends.
 */
export async function claimOutputDir(
  args: Pick<TrainingArguments, 'output_dir' | 'overwrite_output_dir' | 'resume_from_checkpoint'>,
  opts: ClaimOptions,
): Promise<OutputDirClaim> {
  const dir = await checkOutputPath(args.output_dir, 'output_dir');
  await mkdir(dir, { recursive: true });
  const lock = await lockOutputDir(dir, opts.warn);
  try {
    await clearForRun(dir, args, opts.outputs ?? []);
  } catch (err) {
    await lock.release();
    throw err;
  }
  return { dir, release: () => lock.release() };
}

async function clearForRun(
  dir: string,
  args: Pick<TrainingArguments, 'overwrite_output_dir' | 'resume_from_checkpoint'>,
  outputs: readonly string[],
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const strayFile = entries.find((e) => CHECKPOINT_NAME.test(e.name) && !e.isDirectory());
  if (strayFile) {
    throw new UserError(
      `output_dir: ${join(dir, strayFile.name)} is not a folder, but checkpoints are written ` +
        'under that name; move it away or choose another output_dir',
    );
  }
  // left by a run killed while writing a checkpoint; only a run holding the lock may remove them
  for (const e of entries)
    if (e.name.startsWith(`${TMP_FOLDER_PREFIX}${CHECKPOINT_PREFIX}`))
      await rm(join(dir, e.name), { recursive: true, force: true });

  const runFiles = new Set([METRICS_FILE, REPORT_FILE, ...outputs]);
  const earlier = entries
    .map((e) => e.name)
    .filter((name) => CHECKPOINT_NAME.test(name) || runFiles.has(name))
    .sort();
  const resuming = args.resume_from_checkpoint !== null && args.resume_from_checkpoint !== false;
  if (earlier.length === 0 || resuming) return;
  if (!args.overwrite_output_dir) {
    const shown = earlier.slice(0, 4).join(', ') + (earlier.length > 4 ? ', ...' : '');
    throw new UserError(
      `output_dir: ${dir} holds an earlier run (${shown}); set overwrite_output_dir: true to ` +
        'replace it, resume_from_checkpoint: true to continue it, or choose another output_dir',
    );
  }
  for (const name of earlier) await rm(join(dir, name), { recursive: true, force: true });
}
