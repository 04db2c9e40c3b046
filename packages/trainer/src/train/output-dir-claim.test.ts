import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { claimOutputDir } from './output-dir-claim.js';
import { tempDir } from './test-utils.js';

const noWarn = () => {};
const fresh = { overwrite_output_dir: false, resume_from_checkpoint: null };

/** An output_dir as a finished `tunekit train` leaves it, plus a file of the user's. */
async function finishedRun(): Promise<string> {
  const dir = await tempDir();
  for (const step of [4, 8]) {
    await mkdir(join(dir, `checkpoint-${step}`));
    await writeFile(join(dir, `checkpoint-${step}`, 'trainer_state.json'), '{}');
  }
  for (const name of ['adapter_model.safetensors', 'training_record.json', 'metrics.jsonl'])
    await writeFile(join(dir, name), 'old run');
  await writeFile(join(dir, 'notes.md'), 'mine');
  return dir;
}

const outputs = ['adapter_model.safetensors', 'training_record.json'];

describe('claimOutputDir', () => {
  it('refuses a folder holding an earlier run, which a new run used to overwrite and mix with', async () => {
    const output_dir = await finishedRun();
    const claim = claimOutputDir({ ...fresh, output_dir }, { outputs, warn: noWarn });
    await expect(claim).rejects.toThrow(UserError);
    await expect(claim).rejects.toThrow(
      `output_dir: ${output_dir} holds an earlier run (adapter_model.safetensors, checkpoint-4, ` +
        'checkpoint-8, metrics.jsonl, ...); set overwrite_output_dir: true',
    );
    // refused without touching anything, and without keeping the lock
    expect((await readdir(output_dir)).sort()).toEqual([
      'adapter_model.safetensors',
      'checkpoint-4',
      'checkpoint-8',
      'metrics.jsonl',
      'notes.md',
      'training_record.json',
    ]);
  });

  it('with overwrite_output_dir removes the earlier run first, and nothing else', async () => {
    const output_dir = await finishedRun();
    const claim = await claimOutputDir(
      { ...fresh, output_dir, overwrite_output_dir: true },
      { outputs, warn: noWarn },
    );
    expect((await readdir(output_dir)).sort()).toEqual(['.tunekit-train.lock', 'notes.md']);
    await claim.release();
    expect(await readdir(output_dir)).toEqual(['notes.md']);
  });

  it('lets a resume in, keeping the checkpoints', async () => {
    const output_dir = await finishedRun();
    const claim = await claimOutputDir(
      { ...fresh, output_dir, resume_from_checkpoint: true },
      { outputs, warn: noWarn },
    );
    expect(await readdir(output_dir)).toContain('checkpoint-8');
    await claim.release();
  });

  it('removes the temporary checkpoint folders a killed run left', async () => {
    const output_dir = await tempDir();
    await mkdir(join(output_dir, '.tmp-checkpoint-6-0a1b2c3d'));
    await writeFile(join(output_dir, '.tmp-checkpoint-6-0a1b2c3d', 'optimizer.safetensors'), 'x');
    const claim = await claimOutputDir({ ...fresh, output_dir }, { warn: noWarn });
    expect(await readdir(output_dir)).toEqual(['.tunekit-train.lock']);
    await claim.release();
  });

  it('names a path that cannot be an output folder, before anything is loaded', async () => {
    const dir = await tempDir();
    const file = join(dir, 'data.jsonl');
    await writeFile(file, '{}\n');
    const claim = (output_dir: string) =>
      claimOutputDir({ ...fresh, output_dir }, { warn: noWarn });
    await expect(claim(file)).rejects.toThrow(`output_dir: ${file} is a file, not a folder`);
    await expect(claim(join(file, 'run'))).rejects.toThrow(`lies under ${file}, which is a file`);
    // Node's recursive mkdir used to spin at 100% CPU here
    await expect(claim('/proc/self/run')).rejects.toThrow(/under \/proc, a kernel file system/);
    await writeFile(join(dir, 'checkpoint-20'), '');
    await expect(claim(dir)).rejects.toThrow(
      new UserError(
        `output_dir: ${join(dir, 'checkpoint-20')} is not a folder, but checkpoints are written ` +
          'under that name; move it away or choose another output_dir',
      ),
    );
  });
});
