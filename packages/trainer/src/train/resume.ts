import { type Parameter, UserError } from '@tunekit/core';
import { type LoadedCheckpoint, readCheckpointFiles } from './checkpoint-files.js';
import { listCheckpoints } from './checkpoint-folder.js';
import { CHECKPOINT_MANIFEST_FILE, checkCheckpoint } from './checkpoint-manifest.js';
import { differingKeys } from './config-hash.js';
import type { TrainedWeights } from './trained-weights.js';

/**
 * The folder `resume_from_checkpoint` names: a path, or with `true` the newest intact checkpoint
 * in output_dir. Each is checked against its manifest; a damaged newest one is passed over with a
 * warning that names it, a damaged named one (or none intact) is a UserError.
 */
export async function resumeFolder(
  resume: string | boolean | null,
  outputDir: string,
  warn: (message: string) => void,
): Promise<string | undefined> {
  if (resume === null || resume === false) return undefined;
  if (typeof resume === 'string') {
    const check = await checkCheckpoint(resume);
    if (!check.ok) {
      throw new UserError(
        `resume_from_checkpoint: ${resume} is damaged (${check.problem}); name another ` +
          'checkpoint, or set resume_from_checkpoint: true to take the newest intact one',
      );
    }
    if (!check.verified) warn(unverified(resume));
    return resume;
  }
  const checkpoints = (await listCheckpoints(outputDir)).reverse();
  if (checkpoints.length === 0) {
    throw new UserError(
      `resume_from_checkpoint: true, but ${outputDir} holds no checkpoint-<step> folder`,
    );
  }
  const damaged: string[] = [];
  for (const { dir } of checkpoints) {
    const check = await checkCheckpoint(dir);
    if (check.ok) {
      if (!check.verified) warn(unverified(dir));
      return dir;
    }
    damaged.push(`${dir} (${check.problem})`);
    warn(`checkpoint ${dir} is damaged (${check.problem}); trying the one before it`);
  }
  throw new UserError(
    `resume_from_checkpoint: true, but no checkpoint in ${outputDir} is intact: ${damaged.join('; ')}`,
  );
}

function unverified(dir: string): string {
  return `checkpoint ${dir} has no ${CHECKPOINT_MANIFEST_FILE} (written before checkpoints recorded checksums), so its files are not verified`;
}

/**
 * Loads checkpoint `dir` into the model and returns its optimizer state and counters. It refuses a
 * checkpoint of another configuration (naming the keys that differ) and one whose weights equal
 * the fresh ones although it records updates with a nonzero learning rate: a resume that would
 * silently start from a fresh adapter.
 */
export async function restoreCheckpoint(
  dir: string,
  opts: {
    readonly weights: TrainedWeights;
    readonly trainable: readonly (readonly [string, Parameter])[];
    readonly configHash: string;
    readonly hashedConfig: Readonly<Record<string, unknown>>;
    /** True when steps 1..n of the schedule include a nonzero learning rate. */
    readonly updatedBy: (steps: number) => boolean;
  },
): Promise<LoadedCheckpoint> {
  const loaded = await readCheckpointFiles(dir);
  if (loaded.trainerState.config_hash !== opts.configHash) {
    const keys = differingKeys(loaded.hashedConfig, opts.hashedConfig);
    throw new UserError(
      `resume_from_checkpoint: ${dir} was written by a run with other settings ` +
        `(${keys.length > 0 ? keys.join(', ') : 'the config hash differs'}); resuming would not ` +
        'continue the same run. Use the same settings, or start a new run without resume_from_checkpoint',
    );
  }
  const fresh = opts.trainable.map(([, p]) => p.value);
  await opts.weights.load(dir);
  const unchanged = opts.trainable.every(([, p], i) =>
    sameValues(p.value.toFloat64(), fresh[i].toFloat64()),
  );
  const step = loaded.trainerState.global_step;
  if (unchanged && opts.updatedBy(step)) {
    throw new UserError(
      `resume_from_checkpoint: the ${opts.weights.kind} weights in ${dir} equal freshly initialised ` +
        `ones although the checkpoint records ${step} optimizer steps; the checkpoint's weights ` +
        'were not saved or not loaded, and resuming would start training over',
    );
  }
  return loaded;
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
